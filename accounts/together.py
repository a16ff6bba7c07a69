"""Several querysets read in one statement: for a page that merges a handful of small lists of
different tables (the owner's "needs attention" kinds), one round trip instead of one each.

On PostgreSQL each queryset's own SQL (its filters, ordering, LIMIT, select_related joins and
annotations, exactly as Django compiles it) becomes a scalar subquery aggregating its rows as
JSON — `SELECT (SELECT json_agg(t) FROM (<query 1>) t(c0, c1, …)), (SELECT …)` — and each
list's rows are turned back into what the driver would have returned for the same columns, then
handed to Django's own row handling (its converters, model instances, select_related objects
and annotations), so a queryset gives the same objects as when it is evaluated alone. Elsewhere
(SQLite), and for a queryset whose columns cannot be matched, each queryset is read by itself.

A statement whose querysets have the same shape on every read (only the values of their
`Param`s change: the workspace, the user, "now") can be kept compiled (`prepare(…, key=…)`):
built and compiled by Django once per connection, then read with each request's values.
"""

import copy
import datetime
import decimal
import json
import uuid
from contextvars import ContextVar

from django.db import connections
from django.db.models import Expression

_PARSE = {
    "DateTimeField": datetime.datetime.fromisoformat,
    "DateField": datetime.date.fromisoformat,
    "TimeField": datetime.time.fromisoformat,
    "DecimalField": lambda v: decimal.Decimal(str(v)),
    "UUIDField": uuid.UUID,
    "JSONField": json.dumps,  # the driver hands JSON to Django as text; JSONField decodes it
}


def read_together(querysets, *, using="default"):
    """[list(queryset) for each queryset], read in one statement where possible."""
    statement = prepare(querysets, using=using)
    if statement is None:
        return [list(qs) for qs in querysets]
    return [statement.evaluate(i, qs, raw) for i, (qs, raw) in enumerate(zip(querysets, statement.read(),
                                                                             strict=True))]


# While a statement to keep is compiled, a Param compiles to its slot instead of its value.
_recording = ContextVar("together_recording", default=False)
# Statements kept per connection (a connection belongs to one thread); a few shapes each.
KEPT = 8


class Param(Expression):
    """A value that changes from one read of a kept statement to the next (the workspace, the
    user, "now"): compiled as a placeholder named `name`, filled on each read from the values
    given to `prepare`; anywhere else it is `value`, as a plain value would be."""

    def __init__(self, name, value, output_field):
        super().__init__(output_field=output_field)
        self.name, self.value = name, value

    def as_sql(self, compiler, connection):
        return "%s", [_Slot(self.name, self.value) if _recording.get() else self.value]


class _Slot:
    def __init__(self, name, value):
        self.name, self.value = name, value


class Statement:
    """One compiled statement of several querysets: `read()` runs it (one round trip) and gives
    each queryset's rows as JSON; `evaluate(i, queryset, raw)` makes the i-th queryset's objects."""

    def __init__(self, connection, sql, params, compilers):
        self.connection, self.sql, self.params, self.compilers = connection, sql, params, compilers
        self.values = {}

    def with_values(self, values):
        # A copy per read: the kept statement itself is never changed, and is read by one thread.
        read = copy.copy(self)
        read.values = values
        return read

    def read(self):
        params = [self.values[p.name] if isinstance(p, _Slot) else p for p in self.params]
        with self.connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            return cursor.fetchone()

    def evaluate(self, index, queryset, raw):
        compiler, n = self.compilers[index]
        if queryset.model is not compiler.query.model:
            raise RuntimeError(f"A kept statement read a {compiler.query.model.__name__} query where a "
                               f"{queryset.model.__name__} query asked: its querysets changed shape.")
        return _evaluate(queryset, compiler, raw, n)


def kept_statement(key, values, *, using="default"):
    """The statement kept under `key` on this connection, to read with `values`, or None."""
    found = connections[using].__dict__.get("_together_kept", {}).get(key)
    return found.with_values(values) if found is not None else None


def prepare(querysets, *, using="default", key=None, values=None):
    """The Statement reading `querysets` together, or None where they must be read one by one
    (not PostgreSQL, fewer than two, or one whose columns cannot be matched). With `key`, kept
    on the connection and given back for the same key without compiling (the querysets are then
    not even looked at): `values` fills the statement's Params on this and every later read."""
    connection = connections[using]
    kept = connection.__dict__.setdefault("_together_kept", {})
    if key is not None and key in kept:
        return kept[key].with_values(values or {})
    if connection.vendor != "postgresql" or len(querysets) < 2:
        return None
    token = _recording.set(key is not None)
    try:
        compiled = [_compile(qs, using) for qs in querysets]
    finally:
        _recording.reset(token)
    if any(c is None for c in compiled):
        return None
    columns = ", ".join(f"(SELECT json_agg(t) FROM ({sql}) AS t({', '.join(f'c{i}' for i in range(n))}))"  # noqa: S608
                        for _, sql, _, n in compiled)
    params = [p for _, _, qs_params, _ in compiled for p in qs_params]
    for slot in (p for p in params if isinstance(p, _Slot)):
        # Each Param must be the value its name is given on every read, or a kept statement
        # would read another request's workspace or time: checked on the compiling read.
        if slot.name not in (values or {}) or values[slot.name] != slot.value:
            raise ValueError(f"Param {slot.name!r} = {slot.value!r} is not the value given for it.")
    statement = Statement(connection, f"SELECT {columns}", params,  # noqa: S608 - Django's own compiled SQL
                          [(compiler, n) for compiler, _, _, n in compiled])
    if key is not None:
        if len(kept) >= KEPT:
            kept.pop(next(iter(kept)))
        kept[key] = statement
    return statement.with_values(values or {})


def _compile(queryset, using):
    compiler = queryset.query.get_compiler(using=using)
    try:
        sql, params = compiler.as_sql()
    except Exception:  # an empty IN list and the like: the queryset answers by itself
        return None
    if compiler.col_count != len(compiler.select) or compiler.query.combinator:
        return None
    return compiler, sql, params, compiler.col_count


def _evaluate(queryset, compiler, raw, n):
    """The queryset's objects from its rows as JSON: each value as the driver returns it, then
    Django's iterable (model instances, values, …) run over them instead of a query of its own."""
    if isinstance(raw, str):
        raw = json.loads(raw)
    parsers = []
    for expression, _, _ in compiler.select[:n]:
        field = getattr(expression, "output_field", None)
        parsers.append(_PARSE.get(field.get_internal_type()) if field is not None else None)
    rows = [tuple(value if value is None or parse is None else parse(value)
                  for parse, value in zip(parsers, (row[f"c{i}"] for i in range(n)), strict=True))
            for row in raw or []]
    clone = queryset._chain()
    clone.query.get_compiler = lambda *args, **kwargs: _Answered(copy.copy(compiler), rows)
    return list(clone)


class _Answered:
    """The compiler of a queryset already read: Django's iterables ask it to execute and get the
    rows read by read_together (its select, converters and the rest are the real compiler's)."""

    def __init__(self, compiler, rows):
        self._compiler, self._rows = compiler, rows
        compiler.execute_sql = self.execute_sql

    def execute_sql(self, *args, **kwargs):
        return [self._rows]

    def __getattr__(self, name):
        return getattr(self._compiler, name)
