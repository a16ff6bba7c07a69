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
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    given = set().union(*rows)
    by_name = {name: f for f in fields for name in (f.name, f.attname)}
    unknown = given - set(by_name)
    if unknown:
        raise ValueError(f"{model.__name__} has no field {', '.join(sorted(unknown))}")
    if connection.vendor != "postgresql":
        objs = model._default_manager.bulk_create([model(**row) for row in rows], ignore_conflicts=ignore_conflicts)
        return None if ignore_conflicts and returning else [tuple(getattr(o, f) for f in returning) for o in objs]
    columns, params = [], []
    for field in fields:
        name = field.attname if field.attname in given else field.name
        # Left out: the model's default (the declared one, else "" for text, else NULL, as Django).
        values = [row.get(name) for row in rows] if name in given else [field.get_default()] * len(rows)
        columns.append(field)
        params.append(_column_values(field, values))
    quote = connection.ops.quote_name
    casts = ", ".join(f"%s::{field.db_type(connection).split('(')[0]}[]" for field in columns)
    returned = [by_name[name].column if name != "pk" else model._meta.pk.column for name in returning]
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in columns)}) "  # noqa: S608
           f"SELECT * FROM unnest({casts})"
           + (" ON CONFLICT DO NOTHING" if ignore_conflicts else "")
           + (f" RETURNING {', '.join(quote(c) for c in returned)}" if returned else ""))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()] if returned else []



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
