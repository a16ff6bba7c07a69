"""On PostgreSQL the audit log is append-only in the database itself: a BEFORE UPDATE OR DELETE
trigger refuses both (TRUNCATE, a table operation the test suite's flush uses, is left alone).
SQLite has no such trigger here; nothing in the code updates or deletes audit rows."""

from django.db import migrations

FORWARD = [
    """
    CREATE OR REPLACE FUNCTION accounts_audit_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'The audit log is append-only: % is refused', TG_OP USING ERRCODE = '23000';
    END
    $$
    """,
    """
    CREATE TRIGGER accounts_auditevent_append_only
    BEFORE UPDATE OR DELETE ON accounts_auditevent
    FOR EACH ROW EXECUTE FUNCTION accounts_audit_append_only()
    """,
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS accounts_auditevent_append_only ON accounts_auditevent",
    "DROP FUNCTION IF EXISTS accounts_audit_append_only()",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql, None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql, None)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_audit_event")]

    operations = [migrations.RunPython(forward, backward)]
