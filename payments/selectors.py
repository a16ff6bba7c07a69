"""Reads shared by pages, the API, the portal and the services: balances, budget figures, the
overview, statements. Every figure is a sum of ledger entries, computed when asked."""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Prefetch, Sum
from django.utils import timezone

from engagements.models import Engagement, Milestone, MilestoneState

from .models import (
    AccountKind,
    Dispute,
    Entry,
    PaymentSettings,
    Payout,
    ReviewClock,
    Timesheet,
    TimesheetState,
    Transaction,
    TransactionKind,
)

ALERT_PERCENT = 80
# Milestone states whose money is still in escrow.
HELD_STATES = (MilestoneState.FUNDED, MilestoneState.SUBMITTED, MilestoneState.CHANGES_REQUESTED,
               MilestoneState.DISPUTED)


def _sums_by_kind(rows):
    """{figure name: total} from rows of (account kind, transaction kind, sum of amounts).

    One GROUP BY over the engagement's entries gives every figure: funding only ever credits
    escrow, refunds (and the refund part of a resolution) only ever credit owner funding, and
    payable is credited by releases, resolutions, timesheets and bonuses and debited by payouts.
    """
    figures = dict.fromkeys(("funded", "in_escrow", "released", "refunded", "hourly", "bonuses", "paid_out",
                             "owed"), 0)
    for account_kind, tx_kind, total in rows:
        total = total or 0
        if account_kind == AccountKind.ESCROW:
            figures["in_escrow"] += total
            if tx_kind == TransactionKind.FUND:
                figures["funded"] += total
        elif account_kind == AccountKind.OWNER_FUNDING and tx_kind in (TransactionKind.REFUND, TransactionKind.RESOLVE):
            figures["refunded"] += total
        elif account_kind == AccountKind.PAYABLE:
            figures["owed"] += total
            if tx_kind in (TransactionKind.RELEASE, TransactionKind.RESOLVE):
                figures["released"] += total
            elif tx_kind == TransactionKind.TIMESHEET:
                figures["hourly"] += total
            elif tx_kind == TransactionKind.BONUS:
                figures["bonuses"] += total
        elif account_kind == AccountKind.PAID_OUT:
            figures["paid_out"] += total
    return figures


@dataclass
class BudgetFigures:
    """An engagement's money at a glance, all in minor units of `currency`."""

    budget: int
    contingency_percent: int
    currency: str
    funded: int = 0
    in_escrow: int = 0
    released: int = 0
    refunded: int = 0
    hourly: int = 0
    bonuses: int = 0
    paid_out: int = 0
    owed: int = 0

    @property
    def contingency(self):
        return self.budget * self.contingency_percent // 100

    @property
    def limit(self):
        return self.budget + self.contingency

    @property
    def committed(self):
        """Money promised to the freelancer: held in escrow or already earned."""
        return self.in_escrow + self.released + self.hourly + self.bonuses

    @property
    def remaining(self):
        """What can still be committed, contingency included (negative: over the limit)."""
        return self.limit - self.committed

    @property
    def remaining_budget(self):
        """What is left of the budget before the contingency is touched."""
        return self.budget - self.committed

    @property
    def percent_committed(self):
        if self.budget <= 0:
            return 100 if self.committed else 0
        return self.committed * 100 // self.budget

    @property
    def alert(self):
        """Committed spend has passed 80 % of the budget."""
        return self.committed * 100 > ALERT_PERCENT * self.budget if self.budget else self.committed > 0

    @property
    def into_contingency(self):
        return self.committed > self.budget

    @property
    def bar_percent(self):
        """For the progress bar: committed against budget + contingency, capped at 100."""
        if self.limit <= 0:
            return 100 if self.committed else 0
        return min(100, self.committed * 100 // self.limit)

    @property
    def budget_mark_percent(self):
        return self.budget * 100 // self.limit if self.limit else 100

    def as_dict(self):
        return {
            "currency": self.currency, "budget": self.budget, "contingency_percent": self.contingency_percent,
            "contingency": self.contingency, "funded": self.funded, "in_escrow": self.in_escrow,
            "released": self.released, "refunded": self.refunded, "hourly": self.hourly, "bonuses": self.bonuses,
            "paid_out": self.paid_out, "owed": self.owed, "committed": self.committed,
            "remaining": self.remaining, "percent_committed": self.percent_committed, "alert": self.alert,
        }


def _figures(engagement, sums):
    return BudgetFigures(budget=engagement.budget, contingency_percent=engagement.contingency_percent,
                         currency=engagement.currency, **sums)


def budget_figures(engagement):
    rows = (
        Entry.objects.filter(transaction__engagement=engagement, currency=engagement.currency)
        .values_list("account__kind", "transaction__kind").annotate(total=Sum("amount")).order_by()
    )
    return _figures(engagement, _sums_by_kind(rows))


def budget_figures_for(engagements):
    """{engagement id: BudgetFigures} with one grouped query."""
    engagements = list(engagements)
    grouped = defaultdict(list)
    rows = (
        Entry.objects.filter(transaction__engagement__in=engagements)
        .values_list("transaction__engagement", "currency", "account__kind", "transaction__kind")
        .annotate(total=Sum("amount")).order_by()
    )
    for engagement_id, currency, account_kind, tx_kind, total in rows:
        grouped[(engagement_id, currency)].append((account_kind, tx_kind, total))
    return {e.pk: _figures(e, _sums_by_kind(grouped.get((e.pk, e.currency), []))) for e in engagements}


def committed_spend(engagement):
    return budget_figures(engagement).committed


def account_balance(*, kind, currency, engagement=None, freelancer=None, workspace=None):
    qs = Entry.objects.filter(account__kind=kind, currency=currency)
    if engagement is not None:
        qs = qs.filter(account__engagement=engagement)
    if freelancer is not None:
        qs = qs.filter(account__freelancer=freelancer)
    if workspace is not None:
        qs = qs.filter(account__workspace=workspace)
    return qs.aggregate(total=Sum("amount"))["total"] or 0


def owed_on(engagement):
    """What the freelancer has earned on this engagement and not yet been paid."""
    return (
        Entry.objects.filter(transaction__engagement=engagement, account__kind=AccountKind.PAYABLE,
                             currency=engagement.currency).aggregate(total=Sum("amount"))["total"] or 0
    )


def escrow_by_milestone(engagement):
    """{milestone id: amount held in escrow for it}."""
    return dict(
        Entry.objects.filter(transaction__engagement=engagement, account__kind=AccountKind.ESCROW,
                             transaction__milestone__isnull=False)
        .values("transaction__milestone").annotate(total=Sum("amount"))
        .values_list("transaction__milestone", "total")
    )


def review_window(workspace):
    settings = PaymentSettings.objects.filter(workspace=workspace).first()
    return settings.review_window_days if settings else PaymentSettings._meta.get_field("review_window_days").default


def engagement_milestones(engagement):
    """The engagement's milestones with what is in escrow for each, its open dispute and the
    current review clock, for the engagement money page."""
    held = escrow_by_milestone(engagement)
    milestones = list(
        engagement.milestones.prefetch_related(
            Prefetch("disputes", queryset=Dispute.objects.filter(resolved_at__isnull=True), to_attr="open_disputes"),
            Prefetch("review_clocks", queryset=ReviewClock.objects.order_by("-submitted_at"), to_attr="clocks"),
        )
    )
    for m in milestones:
        m.escrowed = held.get(m.pk, 0)
        m.open_dispute = m.open_disputes[0] if m.open_disputes else None
        m.clock = next((c for c in m.clocks if c.submitted_at == m.state_changed_at), None) \
            if m.state == MilestoneState.SUBMITTED else None
    return milestones


def engagement_ledger(engagement):
    return (
        Transaction.objects.filter(engagement=engagement)
        .select_related("milestone", "actor")
        .prefetch_related(Prefetch("entries", queryset=Entry.objects.select_related("account__freelancer",
                                                                                     "account__engagement")))
        .order_by("created_at", "id")
    )


# --- Overview ---------------------------------------------------------------------------------
@dataclass
class ReviewDue:
    milestone: Milestone
    deadline_at: datetime
    extended: bool

    @property
    def days_left(self):
        """Whole days left, rounded up: 2 days 23 hours reads as 3 days."""
        seconds = (self.deadline_at - timezone.now()).total_seconds()
        return max(0, math.ceil(seconds / 86400))

    @property
    def overdue(self):
        return self.deadline_at <= timezone.now()


@dataclass
class Overview:
    engagements: list = field(default_factory=list)        # (engagement, BudgetFigures)
    escrow_totals: dict = field(default_factory=dict)      # currency → held
    owed_totals: dict = field(default_factory=dict)        # currency → owed
    reviews: list = field(default_factory=list)            # ReviewDue
    payables: list = field(default_factory=list)           # dicts: freelancer, engagement, owed, currency
    disputes: list = field(default_factory=list)
    timesheets: list = field(default_factory=list)


def workspace_overview(workspace):
    engagements = list(
        Engagement.objects.filter(workspace=workspace).select_related("freelancer").order_by("-created_at")
    )
    figures = budget_figures_for(engagements)
    overview = Overview()
    escrow_totals, owed_totals = defaultdict(int), defaultdict(int)
    for e in engagements:
        f = figures[e.pk]
        if f.funded or f.committed or e.status in ("active", "offered", "paused"):
            overview.engagements.append((e, f))
        escrow_totals[e.currency] += f.in_escrow
        owed_totals[e.currency] += f.owed
        if f.owed > 0:
            overview.payables.append({"freelancer": e.freelancer, "engagement": e, "owed": f.owed,
                                      "currency": e.currency})
    overview.escrow_totals = {c: v for c, v in escrow_totals.items() if v}
    overview.owed_totals = {c: v for c, v in owed_totals.items() if v}
    submitted = (
        Milestone.objects.filter(engagement__workspace=workspace, state=MilestoneState.SUBMITTED)
        .select_related("engagement__freelancer")
        .prefetch_related(Prefetch("review_clocks", queryset=ReviewClock.objects.order_by("-submitted_at"),
                                   to_attr="clocks"))
    )
    for m in submitted:
        clock = next((c for c in m.clocks if c.submitted_at == m.state_changed_at), None)
        deadline = clock.deadline_at if clock else m.review_deadline_at
        if deadline is None:
            continue
        overview.reviews.append(ReviewDue(milestone=m, deadline_at=deadline,
                                          extended=bool(clock and clock.extended_at)))
    overview.reviews.sort(key=lambda r: r.deadline_at)
    overview.disputes = list(
        Dispute.objects.filter(milestone__engagement__workspace=workspace, resolved_at__isnull=True)
        .select_related("milestone__engagement__freelancer", "raised_by")
    )
    overview.timesheets = list(
        Timesheet.objects.filter(engagement__workspace=workspace, state=TimesheetState.SUBMITTED)
        .select_related("engagement__freelancer").annotate(total_minutes=Sum("entries__minutes"))
        .order_by("approval_deadline_at")
    )
    return overview


# --- Statements -------------------------------------------------------------------------------
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


def timesheets_for(engagement):
    return list(engagement.timesheets.annotate(total_minutes=Sum("entries__minutes"),
                                               entry_count=Count("entries")).order_by("-week_start"))
