"""Several querysets read in one statement: for a page that merges a handful of small lists of
different tables (the owner's "needs attention" kinds), one round trip instead of one each.

On PostgreSQL each queryset's own SQL (its filters, ordering, LIMIT, select_related joins and
annotations, exactly as Django compiles it) becomes a scalar subquery aggregating its rows as
JSON — `SELECT (SELECT json_agg(t) FROM (<query 1>) t(c0, c1, …)), (SELECT …)` — and each
list's rows are turned back into what the driver would have returned for the same columns, then
handed to Django's own row handling (its converters, model instances, select_related objects
and annotations), so a queryset gives the same objects as when it is evaluated alone. Elsewhere
(SQLite), and for a queryset whose columns cannot be matched, each queryset is read by itself.
"""

import datetime
import decimal
import json
import uuid

from django.db import connections

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
    connection = connections[using]
    if connection.vendor != "postgresql" or len(querysets) < 2:
        return [list(qs) for qs in querysets]
    compiled = [_compile(qs, using) for qs in querysets]
    if any(c is None for c in compiled):
        return [list(qs) for qs in querysets]
    columns = ", ".join(f"(SELECT json_agg(t) FROM ({sql}) AS t({', '.join(f'c{i}' for i in range(n))}))"  # noqa: S608
                        for _, sql, _, n in compiled)
    params = [p for _, _, qs_params, _ in compiled for p in qs_params]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}", params)  # noqa: S608 - each part is Django's own compiled SQL
        lists = cursor.fetchone()
    return [_evaluate(qs, compiler, raw, n) for qs, (compiler, _, _, n), raw in zip(querysets, compiled, lists,
                                                                                   strict=True)]


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
    clone.query.get_compiler = lambda *args, **kwargs: _Answered(compiler, rows)
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
