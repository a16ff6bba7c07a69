"""On PostgreSQL the database itself keeps a sent agreement and its signatures as they were
signed: a sent version (sent_at set) can be neither updated nor deleted, a draft only updated
into being sent; a signature can be inserted, never updated or deleted. TRUNCATE (the test
suite's flush) is left alone. SQLite has no such triggers here; the services are its guard,
and signing recomputes the document's hash, so a changed document is refused there too."""

from django.db import migrations

FORWARD = [
    """
    CREATE OR REPLACE FUNCTION engagements_agreement_frozen() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF OLD.sent_at IS NOT NULL THEN
            RAISE EXCEPTION 'Agreement % was sent: % is refused', OLD.id, TG_OP
                USING ERRCODE = '23000', HINT = 'Issue a new version instead.';
        END IF;
        IF TG_OP = 'UPDATE' THEN
            IF NEW.html IS DISTINCT FROM OLD.html OR NEW.body IS DISTINCT FROM OLD.body
               OR NEW.document_sha256 IS DISTINCT FROM OLD.document_sha256
               OR NEW.version IS DISTINCT FROM OLD.version OR NEW.engagement_id IS DISTINCT FROM OLD.engagement_id THEN
                RAISE EXCEPTION 'Agreement %: a rendered document never changes', OLD.id USING ERRCODE = '23000';
            END IF;
            RETURN NEW;
        END IF;
        RETURN OLD;
    END
    $$
    """,
    """
    CREATE TRIGGER engagements_agreement_frozen
    BEFORE UPDATE OR DELETE ON engagements_agreement
    FOR EACH ROW EXECUTE FUNCTION engagements_agreement_frozen()
    """,
    """
    CREATE OR REPLACE FUNCTION engagements_signature_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'Signatures are append-only: % is refused', TG_OP USING ERRCODE = '23000';
    END
    $$
    """,
    """
    CREATE TRIGGER engagements_agreementsignature_append_only
    BEFORE UPDATE OR DELETE ON engagements_agreementsignature
    FOR EACH ROW EXECUTE FUNCTION engagements_signature_append_only()
    """,
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS engagements_agreementsignature_append_only ON engagements_agreementsignature",
    "DROP FUNCTION IF EXISTS engagements_signature_append_only()",
    "DROP TRIGGER IF EXISTS engagements_agreement_frozen ON engagements_agreement",
    "DROP FUNCTION IF EXISTS engagements_agreement_frozen()",
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
    dependencies = [("engagements", "0013_agreements")]

    operations = [migrations.RunPython(forward, backward)]
