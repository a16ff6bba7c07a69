"""Statements as CSV, for the owner's pages and the freelancer's portal alike: one row per
ledger transaction, amounts as decimals in major units with the currency beside them. Written
by accounts.csv_export, which defuses every column (titles, descriptions, references)."""

from django.utils import timezone

from accounts.csv_export import csv_download

from .money import to_major
from .selectors import workspace_statement

STATEMENT_COLUMNS = ["Date", "Transaction", "Type", "Engagement", "Description", "Currency", "Held funds change",
                     "Held funds balance", "Earned", "Refunded", "Paid out", "Owed balance", "Reference"]


def _csv_amount(minor, currency):
    """A movement: empty when nothing moved."""
    return _csv_balance(minor, currency) if minor else ""


def _csv_balance(minor, currency):
    """A running balance: always a figure, 0.00 included."""
    return str(to_major(minor or 0, currency).quantize(to_major(1, currency)))


def statement_csv_response(statement, filename, *, engagement_columns):
    """`statement` (payments.selectors.engagement_statement / freelancer_statement) as a CSV
    download; `engagement_columns` adds the escrow columns of an engagement's statement. Dates
    are in the active time zone."""
    response, writer = csv_download(filename, STATEMENT_COLUMNS)
    for line in statement.lines:
        c = line.currency
        writer.writerow([
            timezone.localtime(line.date).date().isoformat(), line.transaction.pk, line.kind,
            line.engagement.title if line.engagement else "", line.description, c,
            _csv_amount(line.escrow_change, c) if engagement_columns else "",
            _csv_balance(line.escrow_balance, c) if engagement_columns else "",
            _csv_amount(line.earned, c), _csv_amount(line.refunded, c), _csv_amount(line.paid_out, c),
            _csv_balance(line.owed_balance, c), line.reference,
        ])
    return response



def workspace_statement_csv(workspace, filename="statements.csv"):
    """Every ledger transaction of the workspace, with its engagement and the running balances
    per currency (the statements export of the owner's money page and the API)."""
    return statement_csv_response(workspace_statement(workspace), filename, engagement_columns=True)
