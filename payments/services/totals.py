"""Keeping `LedgerTotal` (payments/models/totals.py) equal to the entries it sums: `totals_add`
runs inside `post()`, in the same database transaction as the entries; `ledger_totals_rebuild`
recomputes the rows from the entries (after a bulk load that bypassed `post()`)."""

from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Sum

from ..models import Account, Entry, LedgerTotal

_UPSERT = (
    "INSERT INTO payments_ledgertotal (workspace_id, engagement_id, currency, account_kind, transaction_kind, amount) "
    "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (engagement_id, currency, account_kind, transaction_kind) "
    "DO UPDATE SET amount = payments_ledgertotal.amount + excluded.amount"
)


def totals_add(tx, lines, currency):
    """Add one posted transaction's lines ([(account, amount)]) to its engagement's totals: one
    upsert per account kind, in a fixed order (so two postings on one engagement never deadlock)."""
    by_kind = defaultdict(int)
    for account, amount in lines:
        by_kind[account.kind] += amount
    if not by_kind:
        return
    rows = [(tx.workspace_id, tx.engagement_id, currency, kind, tx.kind, by_kind[kind]) for kind in sorted(by_kind)]
    with connection.cursor() as cursor:
        cursor.executemany(_UPSERT, rows)


def totals_add_many(postings):
    """`totals_add` for a batch written by `bulk.post_many` (postings as it takes them): the
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
    rows = [(ws, engagement, currency, account_kind, tx_kind, amount)
            for (engagement, currency, account_kind, tx_kind, ws), amount in sorted(sums.items())]
    with connection.cursor() as cursor:
        cursor.executemany(_UPSERT, rows)


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


def ledger_totals_rebuild(workspace_ids=None):
    """Recompute the totals of these workspaces (all: None) from their entries."""
    with transaction.atomic():
        stale = LedgerTotal.objects.all()
        if workspace_ids is not None:
            stale = stale.filter(workspace_id__in=workspace_ids)
        stale.delete()
        LedgerTotal.objects.bulk_create(totals_from_entries(workspace_ids), batch_size=2000)
