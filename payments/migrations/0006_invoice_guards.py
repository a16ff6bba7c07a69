"""On PostgreSQL an issued invoice or credit note, and its lines, never change: the shared
append-only guard (accounts.append_only, as on the ledger and the audit log) refuses UPDATE and
DELETE. A mistake is corrected by a credit note."""

from django.db import migrations

from accounts.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("payments", "0005_invoices")]

    operations = [
        append_only(function="payments_invoice_append_only", tables=("payments_invoice", "payments_invoiceline"),
                    message="An issued invoice never changes: % on % is refused",
                    hint="Correct it with a credit note."),
    ]
