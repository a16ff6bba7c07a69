"""One INSERT for many rows, without a model instance per row: for what the beat sweeps write
by the thousand (notifications, ledger rows, audit events, timeline lines).

`bulk_create` builds and prepares a model instance for every row; at a sweep's size (500 rows a
batch, several tables each) that was most of a batch's time in the benchmark's profile, more
than the database's. Here the rows are plain dicts: on PostgreSQL they go in as one array per
column (`INSERT … SELECT * FROM unnest(%s::type[], …)`, the statement Django's own bulk insert
uses) with `RETURNING` the columns the caller asks for; elsewhere (SQLite) through
`bulk_create`. Fields a row leaves out take their model default (a callable default is called
once for the whole batch); values of plain types (numbers, strings, aware datetimes, dates,
None) are passed as they are, every other field prepared by Django as `bulk_create` would.
"""

from django.db import IntegrityError, connection, transaction

# Fields whose values psycopg takes as they are (no Django preparation needed).
_PLAIN = {
    "BigIntegerField", "BooleanField", "CharField", "DateField", "DateTimeField", "EmailField", "ForeignKey",
    "IntegerField", "PositiveBigIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField",
    "SmallIntegerField", "TextField",
}
_TEXT = {"CharField", "EmailField", "TextField"}


def _column_values(field, values):
    kind = field.get_internal_type()
    if kind in _TEXT:
        return [None if v is None else str(v) for v in values]
    if kind in _PLAIN:
        return values
    return [field.get_db_prep_save(v, connection) for v in values]


def insert_many(model, rows, *, returning=(), ignore_conflicts=False):
    """Insert `rows` (dicts of field name → value; `<fk>_id` names a foreign key's column) into
    `model`'s table with one statement. Returns, for each row inserted, the tuple of the
    `returning` field names' values, in the order of `rows` (on PostgreSQL; rows skipped by
    `ignore_conflicts` are absent). Elsewhere: the same without `ignore_conflicts`, else None
    (the caller reads back what it needs)."""
    if not rows:
        return []
    by_name = _field_names(model, rows)
    if connection.vendor != "postgresql":
        objs = model._default_manager.bulk_create([model(**row) for row in rows], ignore_conflicts=ignore_conflicts)
        return None if ignore_conflicts and returning else [tuple(getattr(o, f) for f in returning) for o in objs]
    columns, params = _columns(model, rows)
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in columns)}) "  # noqa: S608
           f"SELECT * FROM unnest({_casts(columns)})"
           + (" ON CONFLICT DO NOTHING" if ignore_conflicts else "")
           + _returning(model, by_name, returning))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()] if returning else []


def _field_names(model, rows):
    """{field name and attname: field} of `model`'s insertable fields, refusing a row naming another."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    by_name = {name: f for f in fields for name in (f.name, f.attname)}
    unknown = set().union(*rows) - set(by_name)
    if unknown:
        raise ValueError(f"{model.__name__} has no field {', '.join(sorted(unknown))}")
    return by_name


def _columns(model, rows):
    """The insertable fields of `model` and, for each, its values over `rows` as one array."""
    given = set().union(*rows)
    columns, params = [], []
    for field in (f for f in model._meta.concrete_fields if not f.primary_key):
        name = field.attname if field.attname in given else field.name
        # Left out: the model's default (the declared one, else "" for text, else NULL, as Django).
        values = [row.get(name) for row in rows] if name in given else [field.get_default()] * len(rows)
        columns.append(field)
        params.append(_column_values(field, values))
    return columns, params


def _casts(columns):
    return ", ".join(f"%s::{field.db_type(connection).split('(')[0]}[]" for field in columns)


def _returning(model, by_name, returning):
    quote = connection.ops.quote_name
    returned = [by_name[name].column if name != "pk" else model._meta.pk.column for name in returning]
    return f" RETURNING {', '.join(quote(c) for c in returned)}" if returned else ""


def insert_one_with_many(instance, model, rows, *, link, returning=()):
    """`insert_one(instance)`, then `insert_many(model, rows, returning=…)` with each row's `link`
    (the attname of its foreign key to `instance`) set to the new pk: on PostgreSQL one statement
    (the first INSERT in a WITH), saving a round trip for a ledger transaction and its entries.
    Returns what `insert_many` returns; `instance.pk` is set. A unique constraint refusing
    `instance` raises IntegrityError, as `insert_one` does, and nothing is inserted."""
    if connection.vendor != "postgresql" or not rows:
        insert_one(instance)
        return insert_many(model, [{**row, link: instance.pk} for row in rows], returning=returning)
    by_name = _field_names(model, rows)
    parent = type(instance)
    fields = _insert_fields(parent)
    params = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]
    columns, arrays = _columns(model, [{**row, link: 0} for row in rows])
    at = next(n for n, f in enumerate(columns) if f.attname == link)
    quote = connection.ops.quote_name
    names = [f"c{n}" for n in range(len(columns))]
    parent_pk = f"parent.{quote(parent._meta.pk.column)}"
    select = ", ".join(parent_pk if n == at else f"u.{name}" for n, name in enumerate(names))
    sql = (f"WITH parent AS ({_insert_sql(parent, False)}) "  # noqa: S608 (names from the models)
           f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in columns)}) "
           f"SELECT {select} FROM parent, unnest({_casts(columns)}) AS u({', '.join(names)})"
           + _returning(model, by_name, ("pk", link, *returning)))
    with connection.cursor() as cursor:
        cursor.execute(sql, params + arrays)
        found = [tuple(row) for row in cursor.fetchall()]
    instance.pk = found[0][1]
    instance._state.adding, instance._state.db = False, "default"
    return [row[2:] for row in found]



def insert_one(instance, *, ignore_conflicts=False):
    """Insert one new model instance as `save(force_insert=True)` would (each field's `pre_save`,
    then its database value), with an INSERT written once per model and set of columns, and set
    its pk. For the rows every money action writes (its transaction, its audit event, its
    timeline line, its email): building Django's INSERT for one row cost more CPU than
    PostgreSQL spends on it. No model signals are sent (the project uses none for these rows).
    With `ignore_conflicts` a row refused by a unique constraint is skipped: returns False and
    leaves the pk unset. For models whose pk the database generates. Elsewhere than on
    PostgreSQL: Django's own save (in a savepoint with `ignore_conflicts`)."""
    model = type(instance)
    if connection.vendor != "postgresql":
        if ignore_conflicts:
            try:
                with transaction.atomic():
                    instance.save(force_insert=True)
            except IntegrityError:
                return False
            return True
        instance.save(force_insert=True)
        return True
    fields = _insert_fields(model)
    params = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(model, ignore_conflicts), params)
        row = cursor.fetchone()
    if row is None:
        return False
    instance.pk = row[0]
    instance._state.adding, instance._state.db = False, "default"
    return True


def _insert_fields(model):
    return [f for f in model._meta.concrete_fields if not f.primary_key]


_INSERT_SQL = {}


def _insert_sql(model, ignore_conflicts):
    sql = _INSERT_SQL.get((model, ignore_conflicts))
    if sql is None:
        quote = connection.ops.quote_name
        fields = _insert_fields(model)
        sql = _INSERT_SQL[model, ignore_conflicts] = (
            f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(fields))})"
            + (" ON CONFLICT DO NOTHING" if ignore_conflicts else "")
            + f" RETURNING {quote(model._meta.pk.column)}")
    return sql
