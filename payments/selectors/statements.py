"""Statements: an engagement's ledger with running balances of its escrow and of what is owed,
and a freelancer's earnings and payouts across engagements, per currency. (`payments.statements`
writes either as CSV.)"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Sum

from engagements.models import Engagement

from ..models import AccountKind, Entry, Payout, Transaction, TransactionKind
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


def engagement_statement(engagement):
    """Every ledger transaction of the engagement, oldest first, with running balances of its
    escrow and of what is owed to the freelancer for it."""
    txs = list(engagement_ledger(engagement))
    refs = _payout_references([t.pk for t in txs])
    lines, escrow, owed = [], 0, 0
    totals = defaultdict(int)
    for tx in txs:
        line = StatementLine(transaction=tx, date=tx.created_at, kind=tx.get_kind_display(),
                             description=tx.memo, currency=engagement.currency, engagement=engagement,
                             reference=refs.get(tx.pk, ""))
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
        escrow += line.escrow_change
        owed += line.earned - line.paid_out
        line.escrow_balance, line.owed_balance = escrow, owed
        for name in ("earned", "paid_out", "refunded"):
            totals[name] += getattr(line, name)
        totals["funded"] += max(line.escrow_change, 0) if tx.kind == TransactionKind.FUND else 0
        lines.append(line)
    totals.update(escrow=escrow, owed=owed)
    return Statement(title=f"{engagement.title} — {engagement.freelancer.name}",
                     currency_lines={engagement.currency: lines}, totals={engagement.currency: dict(totals)})


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


def freelancer_owed_by_engagement(freelancer):
    """[(engagement, owed)] for engagements with something owed."""
    rows = (
        Entry.objects.filter(account__freelancer=freelancer, account__kind=AccountKind.PAYABLE)
        .values("transaction__engagement").annotate(owed=Sum("amount")).filter(owed__gt=0)
    )
    owed = {r["transaction__engagement"]: r["owed"] for r in rows}
    engagements = Engagement.objects.filter(pk__in=owed).order_by("-created_at")
    return [(e, owed[e.pk]) for e in engagements]
