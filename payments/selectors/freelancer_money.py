"""The freelancer's money as they ask about it ("am I getting paid?"), per currency, in four
disjoint states of the money promised to them plus what already left (API.md, the freelancer's
`GET /money/`):

- held: in escrow for a milestone whose work is not handed in yet (funded, changes requested),
  or for a retainer period still running;
- in review: in escrow for submitted work, released automatically at the review deadline;
- disputed: in escrow, frozen by an open dispute;
- payable: released (or approved hours, bonuses) and not yet paid out — the payable account;
- paid out: this month (in the freelancer's time zone) and in total — the paid-out account.

Every figure is a sum of ledger entries computed in SQL: the escrow ones from one narrow row per
milestone in an escrow state (its escrow entries summed by a subquery through the milestone's
transactions) and per retainer period still holding money, payable and paid out from one grouped
query; then the first milestones behind each escrow figure (so each figure can link to them) are
read as objects, with how many there are — a freelancer with 1,000 engagements costs the same
queries as one with a single one.
"""

from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import (
    BigIntegerField,
    Count,
    F,
    OuterRef,
    Subquery,
    Sum,
    Window,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.together import read_together
from engagements.models import Milestone, MilestoneState

from ..models import AccountKind, Entry, LedgerTotal, RetainerPeriodState
from .dashboard import month_start

S = MilestoneState
# Which escrow figure a milestone's money counts in, by the milestone's state.
ESCROW_FIGURE = {S.FUNDED: "held", S.CHANGES_REQUESTED: "held", S.SUBMITTED: "in_review", S.DISPUTED: "disputed"}
# Which escrow figure a retainer period's money counts in, by the period's state.
RETAINER_HOLDING = {RetainerPeriodState.FUNDED: "held", RetainerPeriodState.DISPUTED: "disputed"}
MILESTONES_SHOWN = 10
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
    # The first MILESTONES_SHOWN milestones behind each escrow figure, and how many there are.
    milestones: dict = field(default_factory=lambda: {"held": [], "in_review": [], "disputed": []})
    milestone_counts: dict = field(default_factory=lambda: {"held": 0, "in_review": 0, "disputed": 0})

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


class FreelancerMoney:
    """`currencies`: [CurrencyMoney], by currency code; `engagements`: {engagement id:
    EngagementMoney} by title, the engagement rows the caller did not give read once, when first
    asked for (the money page shows only the currencies)."""

    def __init__(self, currencies, per_engagement, freelancer):
        self.currencies = currencies
        self._per_engagement = per_engagement
        self._freelancer = freelancer

    @cached_property
    def engagements(self):
        rows = self._per_engagement
        missing = [pk for pk, row in rows.items() if row.engagement is None]
        if missing:
            found = self._freelancer.engagements.in_bulk(missing)
            for pk in missing:
                rows[pk].engagement = found[pk]
        ordered = sorted(rows.values(), key=lambda r: (r.engagement.title.lower(), r.engagement.pk))
        return {r.engagement.pk: r for r in ordered}

    def for_engagement(self, engagement):
        """The figures of one engagement the caller holds (without reading the others' rows)."""
        row = self._per_engagement.get(engagement.pk)
        if row is None:
            return EngagementMoney(engagement, engagement.currency)
        if row.engagement is None:
            row.engagement = engagement
        return row

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

    since = month_start(freelancer.timezone, now)
    milestone_rows, period_rows, earned_rows, month_rows = read_together(
        [*_escrow_queries(freelancer), *_earned_queries(freelancer, since=since)])
    _escrow(currency, per_engagement, known, milestone_rows, period_rows)
    _earned_figures(currency, per_engagement, known, earned_rows, month_rows)
    return FreelancerMoney([currencies[code] for code in sorted(currencies)], per_engagement, freelancer)


def _escrow_queries(freelancer):
    """Each milestone of the freelancer's in an escrow state as one narrow row with what escrow
    holds for it (its escrow entries summed in SQL, read through its transactions' index), and
    each retainer period still funded or disputed with its funding entries summed."""
    held = (Entry.objects.filter(account__kind=AccountKind.ESCROW, transaction__milestone=OuterRef("pk"))
            .order_by().values("transaction__milestone").annotate(total=Sum("amount")).values("total"))
    milestones = (Milestone.objects.filter(engagement__freelancer=freelancer, state__in=list(ESCROW_FIGURE))
                  .annotate(escrowed=Subquery(held, output_field=BigIntegerField()),
                            moment=Coalesce("review_deadline_at", "due_at"))
                  .values_list("pk", "engagement_id", "engagement__currency", "state", "escrowed", "moment")
                  .order_by(F("moment").asc(nulls_last=True), "pk"))
    periods = (Entry.objects.filter(account__kind=AccountKind.ESCROW, account__engagement__freelancer=freelancer,
                                    transaction__retainer_funded__state__in=list(RETAINER_HOLDING))
               .values_list("account__engagement", "currency", "transaction__retainer_funded__state")
               .annotate(total=Sum("amount")).order_by())
    return milestones, periods


def _escrow(currency, per_engagement, known, milestone_rows, period_rows):
    """Held, in review and disputed, and the milestones behind each figure: the figures added up
    from the rows of `_escrow_queries`, and only the first MILESTONES_SHOWN milestones of each
    currency and figure (soonest deadline first) then read as objects."""
    shown, escrowed = {}, {}
    for pk, engagement_id, code, state, total, _ in milestone_rows:
        figure = ESCROW_FIGURE[state]
        _add(currency, per_engagement, known, engagement_id, code, figure, total)
        if total and total > 0:
            c = currency(code)
            c.milestone_counts[figure] += 1
            if len(shown.setdefault((code, figure), [])) < MILESTONES_SHOWN:
                shown[(code, figure)].append(pk)
                escrowed[pk] = total
    for engagement_id, code, period_state, total in period_rows:
        _add(currency, per_engagement, known, engagement_id, code, RETAINER_HOLDING[period_state], total)
    if escrowed:
        found = Milestone.objects.select_related("engagement").in_bulk(list(escrowed))
        for (code, figure), pks in sorted(shown.items()):
            for pk in pks:
                found[pk].escrowed = escrowed[pk]
                currency(code).milestones[figure].append(found[pk])


def _add(currency, per_engagement, known, engagement_id, code, figure, total):
    if not total:
        return
    c = currency(code)
    setattr(c, figure, getattr(c, figure) + total)
    row = per_engagement.setdefault(engagement_id, EngagementMoney(known.get(engagement_id), code))
    setattr(row, figure, getattr(row, figure) + total)


def _earned_queries(freelancer, *, since):
    """Payable and paid out per engagement from the ledger totals (`LedgerTotal`, kept with the
    entries in the same database transaction), and what was paid out since `since` per currency
    from the paid-out account's entries. Grouping every payable and paid-out entry joined to its
    transaction (7,940 for the bench's heavy freelancer, 24,000 buffers) cost more than the rest
    of the figures together."""
    totals = (LedgerTotal.objects.filter(engagement__freelancer=freelancer,
                                         account_kind__in=[AccountKind.PAYABLE, AccountKind.PAID_OUT])
              .values_list("engagement", "currency", "account_kind").annotate(total=Sum("amount")).order_by())
    this_month = (Entry.objects.filter(account__freelancer=freelancer, account__kind=AccountKind.PAID_OUT,
                                       transaction__created_at__gte=since)
                  .values_list("currency").annotate(total=Sum("amount")).order_by())
    return totals, this_month


def _earned_figures(currency, per_engagement, known, earned_rows, month_rows):
    """Payable and paid out (this month and in total), from the freelancer's own accounts."""
    for engagement_id, code, kind, total in earned_rows:
        c = currency(code)
        row = per_engagement.setdefault(engagement_id, EngagementMoney(known.get(engagement_id), code))
        if kind == AccountKind.PAYABLE:
            c.payable += total
            row.payable += total
        else:
            c.paid_out_total += total
            row.paid_out += total
    for code, total in month_rows:
        currency(code).paid_out_this_month += total


def freelancer_escrow_lines(freelancer):
    """The ledger lines behind the escrow figures: every movement in or out of the escrow of the
    freelancer's engagements, oldest first, with the milestone it was for (one query)."""
    return list(_escrow_lines(freelancer).order_by("transaction__created_at", "transaction_id", "id"))


def freelancer_escrow_lines_latest(freelancer, *, lines):
    """The latest `lines` of `freelancer_escrow_lines` (oldest first) and how many there are in
    all, counted by the same query (a window over the whole set, taken before the cut)."""
    # The cut and the count read narrow rows (entry, account, transaction's date); only the lines
    # kept are joined to their transaction, milestone and engagement. Joining every line first
    # read every milestone and transaction of the ledger (0.5 s at 1,000 engagements).
    narrow = (Entry.objects.filter(account__kind=AccountKind.ESCROW, account__engagement__freelancer=freelancer)
              .exclude(amount=0))
    order = ["-transaction__created_at", "-transaction_id", "-id"]
    counted = narrow.annotate(n=Window(Count("pk"))).order_by().values("n")[:1]
    latest = list(_escrow_lines(freelancer).filter(pk__in=Subquery(narrow.order_by(*order).values("pk")[:lines]))
                  .annotate(lines_in_all=Subquery(counted)).order_by(*order))
    return latest[::-1], latest[0].lines_in_all if latest else 0


def _escrow_lines(freelancer):
    return (
        Entry.objects.filter(account__kind=AccountKind.ESCROW, account__engagement__freelancer=freelancer)
        .exclude(amount=0)
        .select_related("transaction", "transaction__milestone", "account__engagement")
    )
