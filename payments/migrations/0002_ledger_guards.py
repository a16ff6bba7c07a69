"""On PostgreSQL the database itself guards the ledger (DESIGN.md "Money: the ledger"):

- rows of payments_account, payments_transaction and payments_entry can be inserted, never
  updated or deleted (a BEFORE UPDATE OR DELETE trigger raises);
- a transaction whose entries do not sum to zero per currency is refused at COMMIT (a
  DEFERRABLE INITIALLY DEFERRED constraint trigger, so the entries of one transaction may be
  written in any order within the database transaction).

TRUNCATE is left alone: it is not a row operation, and the test suite's flush relies on it.
SQLite has no such triggers here; the services (payments.ledger.post) are its guard.
"""

from django.db import migrations

APPEND_ONLY_TABLES = ("payments_account", "payments_transaction", "payments_entry")

FORWARD = [
    """
    CREATE OR REPLACE FUNCTION payments_ledger_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'The ledger is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
            USING ERRCODE = '23000',
                  HINT = 'Correct a mistake with a new, compensating transaction.';
    END
    $$
    """,
    *[
        f"""
        CREATE TRIGGER {table}_append_only
        BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION payments_ledger_append_only()
        """
        for table in APPEND_ONLY_TABLES
    ],
    """
    CREATE OR REPLACE FUNCTION payments_entry_balanced() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        unbalanced record;
    BEGIN
        SELECT currency, SUM(amount) AS total INTO unbalanced
        FROM payments_entry
        WHERE transaction_id = NEW.transaction_id
        GROUP BY currency
        HAVING SUM(amount) <> 0
        LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'Ledger transaction % does not balance: % % left over',
                NEW.transaction_id, unbalanced.total, unbalanced.currency
                USING ERRCODE = '23514';
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE CONSTRAINT TRIGGER payments_entry_balanced
    AFTER INSERT ON payments_entry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION payments_entry_balanced()
    """,
]

REVERSE = [
    "DROP TRIGGER IF EXISTS payments_entry_balanced ON payments_entry",
    "DROP FUNCTION IF EXISTS payments_entry_balanced()",
    *[f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}" for table in APPEND_ONLY_TABLES],
    "DROP FUNCTION IF EXISTS payments_ledger_append_only()",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            # One statement per call, without parameters: `%` in the PL/pgSQL is literal.
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(_run(FORWARD), reverse_code=_run(REVERSE), elidable=False),
    ]
