"""Keeping `LedgerTotal`, `CommittedTotal` and `MonthTotal` (payments/models/totals.py) equal to
the entries they sum: `totals_add` runs inside `post()`, in the same database transaction as the
entries; `ledger_totals_rebuild` recomputes the rows from the entries (after a bulk load that
bypassed `post()`). On PostgreSQL the three tables move in ONE statement per account kind (the
committed and month rows fed by the ledger total's upsert through CTEs), so a posting costs no
more round trips than before; SQLite, which has no INSERT inside WITH, runs the upserts one after
the other. The month row of a posting is its engagement's, like its other rows: postings on
different engagements never wait for each other on it."""

from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Q, Sum

from ..models import Account, AccountKind, CommittedTotal, Entry, LedgerTotal, MonthTotal
from ..models.totals import RELEASED_KINDS, committed_sign, month_figures, month_slot

_UPSERT = (
    "INSERT INTO payments_ledgertotal (workspace_id, engagement_id, currency, account_kind, transaction_kind, amount) "
    "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (engagement_id, currency, account_kind, transaction_kind) "
    "DO UPDATE SET amount = payments_ledgertotal.amount + excluded.amount"
)
_COMMITTED_UPSERT = (
    "INSERT INTO payments_committedtotal (workspace_id, engagement_id, currency, amount, in_escrow, payable) "
    "SELECT %s, %s, %s, %s, %s, %s WHERE %s ON CONFLICT (engagement_id, currency) "
    "DO UPDATE SET amount = payments_committedtotal.amount + excluded.amount, "
    "in_escrow = payments_committedtotal.in_escrow + excluded.in_escrow, "
    "payable = payments_committedtotal.payable + excluded.payable"
)
_MONTH_UPSERT = (
    "INSERT INTO payments_monthtotal (workspace_id, engagement_id, currency, slot, released, paid_out) "
    "SELECT %s, %s, %s, %s, %s, %s WHERE %s ON CONFLICT (engagement_id, currency, slot) "
    "DO UPDATE SET released = payments_monthtotal.released + excluded.released, "
    "paid_out = payments_monthtotal.paid_out + excluded.paid_out"
)
# PostgreSQL: the three upserts as one statement (the committed and month ones add nothing when
# their flag is false).
_ALL_UPSERT = (
    "WITH ledger_total AS ("
    "INSERT INTO payments_ledgertotal (workspace_id, engagement_id, currency, account_kind, transaction_kind, amount) "
    "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (engagement_id, currency, account_kind, transaction_kind) "
    "DO UPDATE SET amount = payments_ledgertotal.amount + excluded.amount RETURNING 1), "
    "committed_total AS ("
    "INSERT INTO payments_committedtotal (workspace_id, engagement_id, currency, amount, in_escrow, payable) "
    "SELECT %s, %s, %s, %s, %s, %s FROM ledger_total WHERE %s ON CONFLICT (engagement_id, currency) "
    "DO UPDATE SET amount = payments_committedtotal.amount + excluded.amount, "
    "in_escrow = payments_committedtotal.in_escrow + excluded.in_escrow, "
    "payable = payments_committedtotal.payable + excluded.payable RETURNING 1) "
    "INSERT INTO payments_monthtotal (workspace_id, engagement_id, currency, slot, released, paid_out) "
    "SELECT %s, %s, %s, %s, %s, %s FROM ledger_total WHERE %s ON CONFLICT (engagement_id, currency, slot) "
    "DO UPDATE SET released = payments_monthtotal.released + excluded.released, "
    "paid_out = payments_monthtotal.paid_out + excluded.paid_out"
)


def _committed_figures(account_kind, transaction_kind, amount):
    """(committed, escrow, payable) that lines of these kinds add to the committed total, or None
    when they add nothing to it."""
    sign = committed_sign(account_kind, transaction_kind)
    if not sign and account_kind not in (AccountKind.ESCROW, AccountKind.PAYABLE):
        return None
    return (amount * sign, amount if account_kind == AccountKind.ESCROW else 0,
            amount if account_kind == AccountKind.PAYABLE else 0)


def _upsert(rows):
    """Add rows (workspace, engagement, currency, account kind, transaction kind, amount, when) to
    the ledger totals, to the committed totals for the kinds that count as committed or move
    escrow or payable, and to the month totals of the slot of `when` for the kinds they sum."""
    committed, month = [], []
    for ws, e, c, a, t, amount, at in rows:
        figures = _committed_figures(a, t, amount)
        committed.append((ws, e, c, *(figures or (0, 0, 0)), figures is not None))
        figures = month_figures(a, t, amount)
        slot = connection.ops.adapt_datetimefield_value(month_slot(at))  # SQLite: as the ORM stores it
        month.append((ws, e, c, slot, *(figures or (0, 0)), figures is not None))
    ledger = [row[:-1] for row in rows]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.executemany(_ALL_UPSERT, [row + more + per_month
                                             for row, more, per_month in zip(ledger, committed, month, strict=True)])
        else:
            cursor.executemany(_UPSERT, ledger)
            cursor.executemany(_COMMITTED_UPSERT, [row for row in committed if row[-1]])
            cursor.executemany(_MONTH_UPSERT, [row for row in month if row[-1]])


def totals_add(tx, lines, currency):
    """Add one posted transaction's lines ([(account, amount)]) to its engagement's totals: one
    upsert per account kind, in a fixed order (so two postings on one engagement never deadlock)."""
    by_kind = defaultdict(int)
    for account, amount in lines:
        by_kind[account.kind] += amount
    if not by_kind:
        return
    _upsert([(tx.workspace_id, tx.engagement_id, currency, kind, tx.kind, by_kind[kind], tx.created_at)
             for kind in sorted(by_kind)])


def totals_add_many(postings, *, at):
    """`totals_add` for a batch written by `bulk.post_many` (postings as it takes them, all
    created `at`): the
    account kinds in one query, then one upsert per (engagement, currency, account kind,
    transaction kind), in a fixed order like `totals_add`."""
    postings = [p for p in postings if p.get("engagement_id")]
    if not postings:
        return
    kinds = dict(Account.objects.filter(pk__in={account for p in postings for account, _ in p["lines"]})
                 .values_list("pk", "kind").order_by())
    sums = defaultdict(int)
    for p in postings:
        for account, amount in p["lines"]:
            sums[(p["engagement_id"], p["currency"], kinds[account], p["kind"], p["workspace_id"])] += amount
    _upsert([(ws, engagement, currency, account_kind, tx_kind, amount, at)
             for (engagement, currency, account_kind, tx_kind, ws), amount in sorted(sums.items())])


def totals_from_entries(workspace_ids=None):
    """LedgerTotal rows (unsaved) computed from the entries, one per engagement, currency,
    account kind and transaction kind (migration 0004 computes its first rows the same way)."""
    entries = Entry.objects.filter(transaction__engagement__isnull=False)
    if workspace_ids is not None:
        entries = entries.filter(transaction__workspace_id__in=workspace_ids)
    rows = (entries.values_list("transaction__workspace_id", "transaction__engagement_id", "currency",
                                "account__kind", "transaction__kind")
            .annotate(total=Sum("amount")).order_by())
    return [LedgerTotal(workspace_id=ws, engagement_id=e, currency=c, account_kind=a, transaction_kind=t, amount=s)
            for ws, e, c, a, t, s in rows]


def committed_from_totals(totals):
    """CommittedTotal rows (unsaved) summed from LedgerTotal rows (saved or not): committed
    spend, escrow and payable."""
    sums = defaultdict(lambda: [0, 0, 0])
    for t in totals:
        figures = _committed_figures(t.account_kind, t.transaction_kind, t.amount)
        if figures is not None:
            row = sums[(t.workspace_id, t.engagement_id, t.currency)]
            for i, value in enumerate(figures):
                row[i] += value
    return [CommittedTotal(workspace_id=ws, engagement_id=e, currency=c, amount=amount, in_escrow=held, payable=owed)
            for (ws, e, c), (amount, held, owed) in sorted(sums.items())]


def months_from_entries(workspace_ids=None):
    """MonthTotal rows (unsaved) computed from the entries: each transaction's released and
    paid-out lines summed in SQL, then added up per engagement, currency and slot."""
    entries = Entry.objects.filter(Q(account__kind=AccountKind.PAYABLE, transaction__kind__in=RELEASED_KINDS)
                                   | Q(account__kind=AccountKind.PAID_OUT), transaction__engagement__isnull=False)
    if workspace_ids is not None:
        entries = entries.filter(transaction__workspace_id__in=workspace_ids)
    rows = (entries.values_list("transaction__workspace_id", "transaction__engagement_id", "currency",
                                "transaction__created_at", "account__kind", "transaction__kind")
            .annotate(total=Sum("amount")).order_by())
    sums = defaultdict(lambda: [0, 0])
    for ws, e, c, at, account_kind, tx_kind, total in rows:
        released, paid_out = month_figures(account_kind, tx_kind, total)
        figures = sums[(ws, e, c, month_slot(at))]
        figures[0] += released
        figures[1] += paid_out
    return [MonthTotal(workspace_id=ws, engagement_id=e, currency=c, slot=slot, released=released, paid_out=paid_out)
            for (ws, e, c, slot), (released, paid_out) in sorted(sums.items())]


def ledger_totals_rebuild(workspace_ids=None):
    """Recompute the totals of these workspaces (all: None) from their entries."""
    with transaction.atomic():
        for model in (LedgerTotal, CommittedTotal, MonthTotal):
            stale = model.objects.all()
            if workspace_ids is not None:
                stale = stale.filter(workspace_id__in=workspace_ids)
            stale.delete()
        totals = LedgerTotal.objects.bulk_create(totals_from_entries(workspace_ids), batch_size=2000)
        CommittedTotal.objects.bulk_create(committed_from_totals(totals), batch_size=2000)
        MonthTotal.objects.bulk_create(months_from_entries(workspace_ids), batch_size=2000)
