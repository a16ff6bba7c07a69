"""The freelancer's money as they ask about it ("am I getting paid?"), per currency, in four
disjoint states of the money promised to them plus what already left (API.md, the freelancer's
`GET /money/`):

- held: in escrow for a milestone whose work is not handed in yet (funded, changes requested),
  or for a retainer period still running;
- in review: in escrow for submitted work, released automatically at the review deadline;
- disputed: in escrow, frozen by an open dispute;
- payable: released (or approved hours, bonuses) and not yet paid out — the payable account;
- paid out: this month (in the freelancer's time zone) and in total — the paid-out account.

Every figure is a sum of ledger entries: two grouped queries however many engagements, plus one
for the milestones behind the escrow figures (so each figure can link to its milestones). A
retainer period's money is its funding entry while the period is funded or disputed, read in the
escrow query.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum, Window
from django.utils import timezone

from engagements.models import Engagement, Milestone, MilestoneState

from ..models import AccountKind, Entry, RetainerPeriodState
from .dashboard import month_start

S = MilestoneState
# Which escrow figure a milestone's money counts in, by the milestone's state.
ESCROW_FIGURE = {S.FUNDED: "held", S.CHANGES_REQUESTED: "held", S.SUBMITTED: "in_review", S.DISPUTED: "disputed"}
# Which escrow figure a retainer period's money counts in, by the period's state.
RETAINER_HOLDING = {RetainerPeriodState.FUNDED: "held", RetainerPeriodState.DISPUTED: "disputed"}
FIGURES = ("held", "in_review", "disputed", "payable", "paid_out_this_month", "paid_out_total")


@dataclass
class CurrencyMoney:
    """One currency's figures (minor units) and the milestones behind the escrow ones."""

    currency: str
    held: int = 0
    in_review: int = 0
    disputed: int = 0
    payable: int = 0
    paid_out_this_month: int = 0
    paid_out_total: int = 0
    milestones: dict = field(default_factory=lambda: {"held": [], "in_review": [], "disputed": []})

    @property
    def is_empty(self):
        return not any(getattr(self, name) for name in FIGURES)

    def as_dict(self):
        return {"currency": self.currency, **{name: getattr(self, name) for name in FIGURES}}


@dataclass
class EngagementMoney:
    engagement: object
    currency: str
    held: int = 0
    in_review: int = 0
    disputed: int = 0
    payable: int = 0
    paid_out: int = 0

    def as_dict(self):
        e = self.engagement
        return {"id": e.pk, "title": e.title, "currency": self.currency, "held": self.held,
                "in_review": self.in_review, "payable": self.payable, "paid_out": self.paid_out}


@dataclass
class FreelancerMoney:
    currencies: list   # [CurrencyMoney], by currency code
    engagements: dict  # {engagement id: EngagementMoney}

    def for_engagement(self, engagement):
        return self.engagements.get(engagement.pk) or EngagementMoney(engagement, engagement.currency)

    @property
    def is_empty(self):
        return all(c.is_empty for c in self.currencies)

    def as_dict(self):
        return {"currencies": [c.as_dict() for c in self.currencies],
                "engagements": [m.as_dict() for m in self.engagements.values()]}


def freelancer_money(freelancer, *, now=None, engagements=None):
    """The freelancer's money (FreelancerMoney). `engagements`: the engagement rows the caller
    already holds (the portal home), so the per-engagement figures reuse them."""
    now = now or timezone.now()
    currencies, per_engagement = {}, {}
    known = {e.pk: e for e in engagements} if engagements is not None else {}

    def currency(code):
        return currencies.setdefault(code, CurrencyMoney(code))

    _escrow_figures(freelancer, currency, per_engagement, known)
    _earned_figures(freelancer, currency, per_engagement, known, since=month_start(freelancer.timezone, now))
    for c in currencies.values():
        for figure in ("held", "in_review", "disputed"):
            c.milestones[figure].sort(key=_milestone_order)
    ordered = sorted(per_engagement.values(), key=lambda r: (r.engagement.title.lower(), r.engagement.pk))
    return FreelancerMoney(currencies=[currencies[code] for code in sorted(currencies)],
                           engagements={r.engagement.pk: r for r in ordered})


def _escrow_figures(freelancer, currency, per_engagement, known):
    """Held, in review and disputed: what each milestone's escrow holds, by its state; and what a
    retainer period still holds (its funding, while the period is funded or disputed), read in
    the same grouped query."""
    escrow_rows = list(
        Entry.objects.filter(account__kind=AccountKind.ESCROW, account__engagement__freelancer=freelancer)
        .filter(Q(transaction__milestone__isnull=False)
                | Q(transaction__retainer_funded__state__in=RETAINER_HOLDING))
        .values_list("transaction__milestone", "account__engagement", "transaction__retainer_funded__state",
                     "currency")
        .annotate(total=Sum("amount")).order_by().filter(total__gt=0)
    )
    milestones = Milestone.objects.filter(pk__in=[m for m, _, _, _, _ in escrow_rows if m]).select_related(
        "engagement")
    milestones = {m.pk: m for m in milestones.order_by("due_at", "position", "pk")}
    for milestone_id, engagement_id, period_state, code, total in escrow_rows:
        if milestone_id is None:
            _add(per_engagement, currency(code), RETAINER_HOLDING[period_state], total,
                 _engagement(known, engagement_id), code)
            continue
        m = milestones[milestone_id]
        figure = ESCROW_FIGURE.get(m.state)
        if figure is None:
            continue
        m.escrowed = total
        _add(per_engagement, currency(code), figure, total, known.get(m.engagement_id, m.engagement), code)
        currency(code).milestones[figure].append(m)


def _add(per_engagement, c, figure, total, engagement, code):
    setattr(c, figure, getattr(c, figure) + total)
    row = per_engagement.setdefault(engagement.pk, EngagementMoney(engagement, code))
    setattr(row, figure, getattr(row, figure) + total)


def _engagement(known, engagement_id):
    # Read only for a retainer's money on an engagement the caller did not pass (lists pass theirs).
    if engagement_id not in known:
        known[engagement_id] = Engagement.objects.get(pk=engagement_id)
    return known[engagement_id]


def _earned_figures(freelancer, currency, per_engagement, known, *, since):
    """Payable and paid out (this month and in total), from the freelancer's own accounts."""
    earned_rows = (
        Entry.objects.filter(account__freelancer=freelancer,
                             account__kind__in=[AccountKind.PAYABLE, AccountKind.PAID_OUT])
        .values_list("transaction__engagement", "currency", "account__kind")
        .annotate(total=Sum("amount"), this_month=Sum("amount", filter=Q(transaction__created_at__gte=since)))
        .order_by()
    )
    missing = set()
    for engagement_id, code, kind, total, this_month in earned_rows:
        c = currency(code)
        if kind == AccountKind.PAYABLE:
            c.payable += total
        else:
            c.paid_out_total += total
            c.paid_out_this_month += this_month or 0
        if engagement_id is None:
            continue
        row = per_engagement.get(engagement_id)
        if row is None:
            row = per_engagement[engagement_id] = EngagementMoney(known.get(engagement_id), code)
            if row.engagement is None:
                missing.add(engagement_id)
        if kind == AccountKind.PAYABLE:
            row.payable += total
        else:
            row.paid_out += total
    if missing:
        found = {e.pk: e for e in freelancer.engagements.filter(pk__in=missing)}
        for engagement_id in missing:
            per_engagement[engagement_id].engagement = found[engagement_id]


def _milestone_order(m):
    moment = m.review_deadline_at or m.due_at
    return (moment is None, moment or timezone.now(), m.pk)


def freelancer_escrow_lines(freelancer):
    """The ledger lines behind the escrow figures: every movement in or out of the escrow of the
    freelancer's engagements, oldest first, with the milestone it was for (one query)."""
    return list(_escrow_lines(freelancer).order_by("transaction__created_at", "transaction_id", "id"))


def freelancer_escrow_lines_latest(freelancer, *, lines):
    """The latest `lines` of `freelancer_escrow_lines` (oldest first) and how many there are in
    all, counted by the same query (a window over the whole set, taken before the cut)."""
    latest = list(_escrow_lines(freelancer).annotate(lines_in_all=Window(Count("pk")))
                  .order_by("-transaction__created_at", "-transaction_id", "-id")[:lines])
    return latest[::-1], latest[0].lines_in_all if latest else 0


def _escrow_lines(freelancer):
    return (
        Entry.objects.filter(account__kind=AccountKind.ESCROW, account__engagement__freelancer=freelancer)
        .exclude(amount=0)
        .select_related("transaction", "transaction__milestone", "account__engagement")
    )
