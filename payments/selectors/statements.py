"""Statements: an engagement's ledger with running balances of its escrow and of what is owed,
and a freelancer's earnings and payouts across engagements, per currency. (`payments.statements`
writes either as CSV.)"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import BigIntegerField, F, OuterRef, Prefetch, Subquery, Sum

from engagements.models import Engagement

from ..models import Account, AccountKind, Entry, LedgerTotal, Payout, Transaction, TransactionKind
from .engagement import engagement_ledger


@dataclass
class StatementLine:
    transaction: Transaction
    date: datetime
    kind: str
    description: str
    currency: str
    escrow_change: int = 0
    escrow_balance: int = 0
    earned: int = 0
    paid_out: int = 0
    refunded: int = 0
    owed_balance: int = 0
    engagement: Engagement | None = None
    reference: str = ""


@dataclass
class Statement:
    title: str
    currency_lines: dict  # currency → [StatementLine]
    totals: dict          # currency → {"earned", "paid_out", "owed", ...}

    @property
    def lines(self):
        return [line for lines in self.currency_lines.values() for line in lines]


def _payout_references(transactions):
    return dict(Payout.objects.filter(transaction__in=transactions).values_list("transaction_id", "reference"))


def _ledger_line(tx, currency, engagement, reference):
    """One transaction as a statement line: its movements of escrow, of what is owed and paid."""
    line = StatementLine(transaction=tx, date=tx.created_at, kind=tx.get_kind_display(), description=tx.memo,
                         currency=currency, engagement=engagement, reference=reference)
    for entry in tx.entries.all():
        kind = entry.account.kind
        if kind == AccountKind.ESCROW:
            line.escrow_change += entry.amount
        elif kind == AccountKind.PAYABLE and entry.amount > 0:
            line.earned += entry.amount
        elif kind == AccountKind.PAID_OUT:
            line.paid_out += entry.amount
        elif kind == AccountKind.OWNER_FUNDING and entry.amount > 0:
            line.refunded += entry.amount
    return line


def _running(txs, currency_of, engagement_of):
    """Statement lines of `txs` (oldest first) with running escrow and owed balances per currency."""
    refs = _payout_references([t.pk for t in txs])
    currency_lines, totals = defaultdict(list), {}
    for tx in txs:
        currency = currency_of(tx)
        line = _ledger_line(tx, currency, engagement_of(tx), refs.get(tx.pk, ""))
        t = totals.setdefault(currency, defaultdict(int))
        t["escrow"] += line.escrow_change
        t["owed"] += line.earned - line.paid_out
        line.escrow_balance, line.owed_balance = t["escrow"], t["owed"]
        for name in ("earned", "paid_out", "refunded"):
            t[name] += getattr(line, name)
        t["funded"] += max(line.escrow_change, 0) if tx.kind == TransactionKind.FUND else 0
        currency_lines[currency].append(line)
    return dict(currency_lines), {c: dict(t) for c, t in totals.items()}


def engagement_statement(engagement):
    """Every ledger transaction of the engagement, oldest first, with running balances of its
    escrow and of what is owed to the freelancer for it."""
    txs = list(engagement_ledger(engagement))
    currency_lines, totals = _running(txs, lambda tx: engagement.currency, lambda tx: engagement)
    currency_lines = currency_lines or {engagement.currency: []}
    totals = totals or {engagement.currency: {"escrow": 0, "owed": 0}}
    return Statement(title=f"{engagement.title} — {engagement.freelancer.name}",
                     currency_lines=currency_lines, totals=totals)


def workspace_statement(workspace):
    """Every ledger transaction of the workspace, oldest first, with running balances of escrow
    and of what is owed per currency (the statements export)."""
    txs = list(
        Transaction.objects.filter(workspace=workspace)
        .select_related("engagement", "milestone")
        .prefetch_related(Prefetch("entries", queryset=Entry.objects.select_related("account")))
        .order_by("created_at", "id")
    )

    def currency_of(tx):
        entries = tx.entries.all()
        return entries[0].currency if entries else (tx.engagement.currency if tx.engagement else workspace.currency)

    currency_lines, totals = _running(txs, currency_of, lambda tx: tx.engagement)
    return Statement(title=workspace.name, currency_lines=currency_lines, totals=totals)


def freelancer_statement(freelancer):
    """What the freelancer earned and was paid, across engagements, per currency, with the
    running balance owed. (The portal shows the same to the freelancer.)"""
    entries = (
        Entry.objects.filter(account__freelancer=freelancer)
        .select_related("transaction__engagement", "transaction__milestone", "account")
        .order_by("transaction__created_at", "transaction_id", "id")
    )
    by_tx = {}
    for entry in entries:
        tx = entry.transaction
        line = by_tx.get((tx.pk, entry.currency))
        if line is None:
            line = by_tx[(tx.pk, entry.currency)] = StatementLine(
                transaction=tx, date=tx.created_at, kind=tx.get_kind_display(), description=tx.memo,
                currency=entry.currency, engagement=tx.engagement,
            )
        if entry.account.kind == AccountKind.PAYABLE and entry.amount > 0:
            line.earned += entry.amount
        elif entry.account.kind == AccountKind.PAID_OUT:
            line.paid_out += entry.amount
    refs = _payout_references([pk for pk, _ in by_tx])
    currency_lines, totals = defaultdict(list), {}
    for line in by_tx.values():
        line.reference = refs.get(line.transaction.pk, "")
        t = totals.setdefault(line.currency, {"earned": 0, "paid_out": 0, "owed": 0})
        t["earned"] += line.earned
        t["paid_out"] += line.paid_out
        t["owed"] += line.earned - line.paid_out
        line.owed_balance = t["owed"]
        currency_lines[line.currency].append(line)
    return Statement(title=freelancer.name, currency_lines=dict(currency_lines), totals=totals)


# `freelancer_statement` summed per transaction and currency in SQL, then one pass of windows over
# each currency's lines in order (one sort): the running balance owed, earned and paid out, the
# line's position, how many lines the currency has and its first line (the currencies come in the
# order of their first line, as in `freelancer_statement`); only each currency's latest lines come
# back, its last line carrying the currency's totals.
_LATEST_SQL = """
WITH per_tx AS (
    SELECT e.transaction_id AS tx, e.currency AS currency, t.created_at AS at,
           SUM(CASE WHEN a.kind = %(payable)s AND e.amount > 0 THEN e.amount ELSE 0 END) AS earned,
           SUM(CASE WHEN a.kind = %(paid_out)s THEN e.amount ELSE 0 END) AS paid_out
    FROM {entry} e JOIN {account} a ON a.id = e.account_id JOIN {tx} t ON t.id = e.transaction_id
    WHERE a.freelancer_id = %(freelancer)s
    GROUP BY e.transaction_id, e.currency, t.created_at
), lines AS (
    SELECT tx, currency, at, earned, paid_out,
           SUM(earned - paid_out) OVER w AS owed, SUM(earned) OVER w AS earned_so_far,
           SUM(paid_out) OVER w AS paid_out_so_far, ROW_NUMBER() OVER w AS position,
           COUNT(*) OVER (PARTITION BY currency) AS in_currency,
           FIRST_VALUE(at) OVER w AS first_at, FIRST_VALUE(tx) OVER w AS first_tx
    FROM per_tx
    WINDOW w AS (PARTITION BY currency ORDER BY at, tx ROWS UNBOUNDED PRECEDING)
)
SELECT tx, currency, earned, paid_out, owed, earned_so_far, paid_out_so_far, position, in_currency FROM lines
WHERE position > in_currency - %(lines)s ORDER BY first_at, first_tx, at, tx
"""


def freelancer_statement_latest(freelancer, *, lines):
    """`freelancer_statement` cut to its latest `lines` lines per currency (the same running
    balances and totals), and how many lines it has in all: what a page shows. The ledger is
    summed per transaction, the balances run and the lines cut in SQL: only the shown lines come
    back, and only their transactions are read as rows."""
    sql = _LATEST_SQL.format(entry=Entry._meta.db_table, account=Account._meta.db_table,
                             tx=Transaction._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"payable": AccountKind.PAYABLE, "paid_out": AccountKind.PAID_OUT,
                             "freelancer": freelancer.pk, "lines": lines})
        rows = cursor.fetchall()
    txs = (Transaction.objects.select_related("engagement", "milestone")
           .annotate(payout_reference=F("payout__reference")).in_bulk([row[0] for row in rows]))
    currency_lines, totals, count = defaultdict(list), {}, 0
    for tx_id, currency, earned, paid_out, owed, earned_so_far, paid_out_so_far, position, in_currency in rows:
        tx = txs[tx_id]
        currency_lines[currency].append(StatementLine(
            transaction=tx, date=tx.created_at, kind=tx.get_kind_display(), description=tx.memo, currency=currency,
            earned=int(earned), paid_out=int(paid_out), owed_balance=int(owed), engagement=tx.engagement,
            reference=tx.payout_reference or ""))
        if position == in_currency:  # the currency's last line: its totals
            totals[currency] = {"earned": int(earned_so_far), "paid_out": int(paid_out_so_far), "owed": int(owed)}
            count += in_currency
    return Statement(title=freelancer.name, currency_lines=dict(currency_lines), totals=totals), count


def freelancer_owed_by_engagement(freelancer):
    """The freelancer's engagements with something owed to them, the largest first, each with
    `owed`: summed in SQL from the payable rows of LedgerTotal (kept with the entries in the same
    database transaction), a queryset for the caller to cut or page through."""
    owed = (LedgerTotal.objects.filter(engagement=OuterRef("pk"), account_kind=AccountKind.PAYABLE).order_by()
            .values("engagement").annotate(total=Sum("amount")).values("total"))
    return (Engagement.objects.filter(freelancer=freelancer)
            .annotate(owed=Subquery(owed, output_field=BigIntegerField())).filter(owed__gt=0)
            .order_by("-owed", "-created_at", "pk"))
