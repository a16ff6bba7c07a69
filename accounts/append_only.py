"""The append-only guard every app's migrations share: on PostgreSQL a BEFORE UPDATE OR DELETE
trigger that raises, so rows can be inserted and never changed (the ledger, the audit log,
issued invoices). TRUNCATE, a table operation the test suite's flush uses, is left alone.
SQLite has no such trigger; there the services are the guard."""

from django.db import migrations


def append_only_sql(*, function, tables, message, hint=""):
    """(forward, backward) statements: one trigger function raising `message` (`%` stands for
    the operation, then the table), and one trigger per table."""
    using = "USING ERRCODE = '23000'" + (f", HINT = '{hint}'" if hint else "")
    forward = [
        f"""
        CREATE OR REPLACE FUNCTION {function}() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{message}', TG_OP, TG_TABLE_NAME {using};
        END
        $$
        """,
        *[f"""
        CREATE TRIGGER {table}_append_only
        BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION {function}()
        """ for table in tables],
    ]
    backward = [*[f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}" for table in tables],
                f"DROP FUNCTION IF EXISTS {function}()"]
    return forward, backward


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            # One statement per call, without parameters: `%` in the PL/pgSQL is literal.
            schema_editor.execute(statement, params=None)

    return run


def append_only(*, function, tables, message, hint=""):
    """The migration operation installing the guard (and removing it when migrated back)."""
    forward, backward = append_only_sql(function=function, tables=tables, message=message, hint=hint)
    return migrations.RunPython(_run(forward), reverse_code=_run(backward), elidable=False)
