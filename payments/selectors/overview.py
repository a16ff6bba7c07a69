"""The workspace's money overview: what is held in escrow and owed, per currency; reviews due
with the days left; open disputes; weeks waiting for approval."""

import math
from dataclasses import dataclass, field
from datetime import datetime

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, Sum
from django.utils import timezone

from engagements.models import Engagement, Milestone, MilestoneState

from ..models import AccountKind, Dispute, Entry, ReviewClock, Timesheet, TimesheetState, Transaction
from .balances import budget_figures_for
from .dashboard import currency_totals


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
    """What the money page shows. Totals are sums in SQL over every row; each list holds its first
    `LIST_LIMIT` rows (most urgent first) with the count of all of them, and the engagements are
    one page of a paginator — so the page is the same size at 10 engagements or 10,000."""

    engagements: object = None                             # a Page of (engagement, BudgetFigures)
    escrow_totals: dict = field(default_factory=dict)      # currency → held
    owed_totals: dict = field(default_factory=dict)        # currency → owed
    reviews: list = field(default_factory=list)            # ReviewDue, soonest deadline first
    reviews_count: int = 0
    payables: list = field(default_factory=list)           # dicts: freelancer, engagement, owed, currency
    payables_count: int = 0
    disputes: list = field(default_factory=list)
    disputes_count: int = 0
    timesheets: list = field(default_factory=list)
    timesheets_count: int = 0


LIST_LIMIT = 25
ENGAGEMENTS_PER_PAGE = 25


def workspace_overview(workspace, *, page=1, now=None):
    now = now or timezone.now()
    overview = Overview()
    for row in currency_totals(workspace, now=now):
        if row["in_escrow"]:
            overview.escrow_totals[row["currency"]] = row["in_escrow"]
        if row["payable"]:
            overview.owed_totals[row["currency"]] = row["payable"]
    overview.engagements = _engagement_page(workspace, page)
    overview.reviews, overview.reviews_count = _reviews(workspace)
    overview.payables, overview.payables_count = _payables(workspace)
    disputes = (Dispute.objects.filter(milestone__engagement__workspace=workspace, resolved_at__isnull=True)
                .select_related("milestone__engagement__freelancer", "raised_by").order_by("opened_at", "pk"))
    overview.disputes, overview.disputes_count = list(disputes[:LIST_LIMIT]), disputes.count()
    timesheets = (Timesheet.objects.filter(engagement__workspace=workspace, state=TimesheetState.SUBMITTED)
                  .select_related("engagement__freelancer").annotate(total_minutes=Sum("entries__minutes"))
                  .order_by("approval_deadline_at", "pk"))
    overview.timesheets = list(timesheets[:LIST_LIMIT])
    overview.timesheets_count = Timesheet.objects.filter(engagement__workspace=workspace,
                                                         state=TimesheetState.SUBMITTED).count()
    return overview


def _engagement_page(workspace, page):
    """Engagements with money on them, or under way: one page, with their figures."""
    money = Exists(Transaction.objects.filter(engagement=OuterRef("pk")))
    engagements = (Engagement.objects.filter(workspace=workspace)
                   .filter(Q(status__in=("active", "offered", "paused")) | Q(money))
                   .select_related("freelancer").order_by("-created_at", "-pk"))
    result = Paginator(engagements, ENGAGEMENTS_PER_PAGE).get_page(page)
    figures = budget_figures_for(result.object_list)
    result.object_list = [(e, figures[e.pk]) for e in result.object_list]
    return result


def _reviews(workspace):
    submitted = (
        Milestone.objects.filter(engagement__workspace=workspace, state=MilestoneState.SUBMITTED)
        .exclude(review_deadline_at=None).order_by("review_deadline_at", "pk")
    )
    rows = (submitted.select_related("engagement__freelancer")
            .prefetch_related(Prefetch("review_clocks", queryset=ReviewClock.objects.order_by("-submitted_at"),
                                       to_attr="clocks"))[:LIST_LIMIT])
    reviews = []
    for m in rows:
        clock = next((c for c in m.clocks if c.submitted_at == m.state_changed_at), None)
        deadline = clock.deadline_at if clock else m.review_deadline_at
        reviews.append(ReviewDue(milestone=m, deadline_at=deadline, extended=bool(clock and clock.extended_at)))
    reviews.sort(key=lambda r: r.deadline_at)
    return reviews, submitted.count()


def _payables(workspace):
    """Who is owed what, per engagement, the largest first (sums of the payable accounts)."""
    owed = (Entry.objects.filter(account__workspace=workspace, account__kind=AccountKind.PAYABLE,
                                 transaction__engagement__isnull=False)
            .values("transaction__engagement", "currency").annotate(owed=Sum("amount")).filter(owed__gt=0))
    top = list(owed.order_by("-owed", "transaction__engagement")[:LIST_LIMIT])
    engagements = Engagement.objects.select_related("freelancer").in_bulk(
        [row["transaction__engagement"] for row in top])
    payables = []
    for row in top:
        e = engagements[row["transaction__engagement"]]
        payables.append({"freelancer": e.freelancer, "engagement": e, "owed": row["owed"], "currency": row["currency"]})
    return payables, owed.count()
