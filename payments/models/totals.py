"""`LedgerTotal`: the sum of an engagement's ledger entries per currency, account kind and
transaction kind — the grouping every money figure of an engagement or a workspace is read from
(BudgetFigures, the budget alerts, escrow and payable per currency).

It is derived, never edited: `payments.services.ledger.post()` adds each transaction's lines to
it in the same database transaction as the entries themselves (one INSERT … ON CONFLICT DO
UPDATE), so it commits or rolls back with them and cannot drift; `ledger_totals_rebuild()`
recomputes it from the entries (the migration that introduced it, and bulk-loaded data). With
it the home page's figures read a row per engagement and kind instead of summing the whole
ledger on every request."""

from datetime import UTC, datetime, timedelta

from django.db import models

from .ledger import AccountKind, TransactionKind

# What counts as committed spend against a budget: escrow (held), and payable credited by
# releases, resolutions, approved hours, bonuses and commissions (earned), less what the
# freelancer gave back after release (the owner's funding credited by a refund after release).
# BudgetFigures.committed and `CommittedTotal` both sum exactly these.
EARNED_KINDS = (TransactionKind.RELEASE, TransactionKind.RESOLVE, TransactionKind.TIMESHEET, TransactionKind.BONUS,
                TransactionKind.COMMISSION)


def committed_sign(account_kind, transaction_kind):
    """+1 when entries of this kind add to committed spend, -1 when they take from it, else 0."""
    if account_kind == AccountKind.ESCROW or (account_kind == AccountKind.PAYABLE and transaction_kind in EARNED_KINDS):
        return 1
    if account_kind == AccountKind.OWNER_FUNDING and transaction_kind == TransactionKind.REFUND_RELEASED:
        return -1
    return 0


class LedgerTotal(models.Model):
    # Written only with the ledger entries it sums, in the same transaction: the entries' writes
    # move the workspace's change mark (accounts/changes.py), so this table needs no trigger of
    # its own (one per upserted row cost the auto-release sweep 8 s at 10,000 releases).
    marked_by = "payments_entry"
    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+")
    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE, related_name="ledger_totals")
    currency = models.CharField(max_length=3)
    account_kind = models.CharField(max_length=16, choices=AccountKind.choices)
    transaction_kind = models.CharField(max_length=16, choices=TransactionKind.choices)
    # Signed, in minor units of `currency`: the sum of the entries it stands for.
    amount = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["engagement", "currency", "account_kind", "transaction_kind"]
        constraints = [
            models.UniqueConstraint(fields=["engagement", "currency", "account_kind", "transaction_kind"],
                                    name="ledger_total_one_row"),
        ]

    def __str__(self):
        kinds = f"{self.account_kind}/{self.transaction_kind}"
        return f"engagement {self.engagement_id} {kinds}: {self.amount} {self.currency}"


class CommittedTotal(models.Model):
    """An engagement's committed spend per currency — escrow held plus what releases,
    resolutions, approved hours, bonuses and commissions credited to payable — i.e. its
    `LedgerTotal` rows of those kinds summed (balances.COMMITTED_TOTALS). The budget alerts and
    the budgets nearest their limit filter and order every running engagement by it: one row
    each instead of aggregating four or five `LedgerTotal` rows per engagement on every request.

    The same row holds the engagement's escrow and payable balances in that currency (its
    `LedgerTotal` escrow rows summed, and its payable rows): the payments overview and the money
    card sum a workspace's balances from one row per engagement instead of its four or five
    escrow and payable `LedgerTotal` rows each, and "who is owed" reads its largest payables in
    order from `committed_total_owed`. A row per engagement, never per workspace: a workspace's
    row would hold every one of its releases behind the first one until that one commits.

    Derived like `LedgerTotal` and written by the same statement as it (services.totals), so it
    commits or rolls back with the entries; `ledger_totals_rebuild()` recomputes both."""
    # Written only with the ledger entries it sums, in the same transaction: the entries' writes
    # move the workspace's change mark (accounts/changes.py), so this table needs no trigger of
    # its own (one per upserted row cost the auto-release sweep 8 s at 10,000 releases).
    marked_by = "payments_entry"

    # No index of their own: committed_total_ws and committed_total_one_row start with them.
    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+", db_index=False)
    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE,
                                   related_name="committed_totals", db_index=False)
    currency = models.CharField(max_length=3)
    # Signed, in minor units of `currency`: committed spend, escrow held, payable (owed).
    amount = models.BigIntegerField(default=0)
    in_escrow = models.BigIntegerField(default=0)
    payable = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["engagement", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["engagement", "currency"], name="committed_total_one_row"),
        ]
        indexes = [
            # A workspace's rows, read whole by the alerts' count, the nearest budgets and the
            # balances per currency.
            models.Index(fields=["workspace", "engagement"], include=["currency", "amount", "in_escrow", "payable"],
                         name="committed_total_ws"),
            # Who is owed: a workspace's payables, largest first, read in order and cut at a page.
            models.Index(fields=["workspace", "-payable", "engagement"], include=["currency"],
                         condition=models.Q(payable__gt=0), name="committed_total_owed"),
        ]

    def __str__(self):
        return f"engagement {self.engagement_id} committed: {self.amount} {self.currency}"


# `MonthTotal.slot`: every local month of every IANA zone starts within 14 hours before and 12
# hours after the UTC month's start, on a quarter hour (tests/services/test_month_totals.py checks
# every zone from 1980 to 2050). Near a UTC month's turn a row covers a quarter hour; the rest of
# the UTC month is one stretch. No slot then straddles a local month's start in any zone, so a
# local month's figure is the sum of the rows whose slot starts inside it.
TURN_BEFORE = timedelta(hours=15)  # the zones' 14 hours and one to spare, either side
TURN_AFTER = timedelta(hours=13)
QUARTER = timedelta(minutes=15)


def utc_month_start(at):
    at = at.astimezone(UTC)
    return datetime(at.year, at.month, 1, tzinfo=UTC)


def next_utc_month_start(month):
    return datetime(month.year + (month.month == 12), month.month % 12 + 1, 1, tzinfo=UTC)


def month_slot(at):
    """The start of the slot that the moment `at` falls in (UTC)."""
    at = at.astimezone(UTC)
    month = utc_month_start(at)
    if month + TURN_AFTER <= at < next_utc_month_start(month) - TURN_BEFORE:
        return month + TURN_AFTER
    return datetime.fromtimestamp(at.timestamp() // QUARTER.total_seconds() * QUARTER.total_seconds(), tz=UTC)


# The entries a `MonthTotal` sums: released = payable credited by a release or a resolution (the
# owner's "released this month" and the released-per-month chart), paid_out = the paid-out accounts'.
RELEASED_KINDS = (TransactionKind.RELEASE, TransactionKind.RESOLVE)


def month_figures(account_kind, transaction_kind, amount):
    """(released, paid out) that an engagement's `amount` on this account and transaction kind
    adds to its month totals, or None when it adds to neither."""
    if account_kind == AccountKind.PAYABLE and transaction_kind in RELEASED_KINDS:
        return amount, 0
    if account_kind == AccountKind.PAID_OUT:
        return 0, amount
    return None


class MonthTotal(models.Model):
    """What was released to and paid out of an engagement's freelancer in one slot of time (see
    `month_slot`: a quarter hour near a UTC month's turn, else the rest of the UTC month), per
    currency. The owner's money card ("this month") and the released-per-month chart sum a
    workspace's rows whose slot starts in the workspace's local month(s), whatever its zone, so a
    zone change moves nothing and rebuilds nothing.

    One row per engagement, not per workspace: a workspace-wide row would be updated and locked
    until commit by every release of the workspace, serialising them; an engagement's postings
    already lock its own ledger total rows. Derived like `LedgerTotal` and written by the same
    statement as it (services.totals), so it commits or rolls back with the entries;
    `ledger_totals_rebuild()` recomputes it."""
    # Written only with the ledger entries it sums, in the same transaction: the entries' writes
    # move the workspace's change mark (accounts/changes.py), so this table needs no trigger of
    # its own (one per upserted row cost the auto-release sweep 8 s at 10,000 releases).
    marked_by = "payments_entry"

    # No index of their own: month_total_ws and month_total_one_row start with them.
    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+", db_index=False)
    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE,
                                   related_name="month_totals", db_index=False)
    currency = models.CharField(max_length=3)
    slot = models.DateTimeField()
    # Signed, in minor units of `currency`.
    released = models.BigIntegerField(default=0)
    paid_out = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["engagement", "currency", "slot"]
        constraints = [
            models.UniqueConstraint(fields=["engagement", "currency", "slot"], name="month_total_one_row"),
        ]
        indexes = [
            # A workspace's rows since a month's start, read without the table by the home page.
            models.Index(fields=["workspace", "slot"], include=["currency", "released", "paid_out"],
                         name="month_total_ws"),
        ]

    def __str__(self):
        return f"engagement {self.engagement_id} from {self.slot:%Y-%m-%d %H:%M}: {self.released} released, " \
               f"{self.paid_out} paid out {self.currency}"
