"""The workspace's money overview: what is held in escrow and owed, per currency; reviews due
with the days left; open disputes; weeks waiting for approval."""

import math
from dataclasses import dataclass, field
from datetime import datetime

from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Sum, Window
from django.utils import timezone

from accounts.paging import count_of
from engagements.models import Engagement, Milestone, MilestoneState

from ..models import (
    CommittedTotal,
    Dispute,
    ReviewClock,
    TimeEntry,
    Timesheet,
    TimesheetState,
    Transaction,
)
from .balances import budget_figures_for, workspace_balances
from .disputes import open_disputes_in


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


def workspace_overview(workspace, *, page=1):
    overview = Overview()
    # The balances only: this month's movements (the home page's) are not shown here.
    for currency, in_escrow, payable in workspace_balances(workspace):
        if in_escrow:
            overview.escrow_totals[currency] = in_escrow
        if payable:
            overview.owed_totals[currency] = payable
    overview.engagements = _engagement_page(workspace, page)
    overview.reviews, overview.reviews_count = _reviews(workspace)
    overview.payables, overview.payables_count = _payables(workspace)
    overview.disputes, overview.disputes_count = _open_disputes(workspace)
    minutes = (TimeEntry.objects.filter(timesheet=OuterRef("pk")).order_by().values("timesheet")
               .annotate(total=Sum("minutes")).values("total"))
    timesheets = (Timesheet.objects.filter(engagement__workspace=workspace, state=TimesheetState.SUBMITTED)
                  .select_related("engagement__freelancer")
                  .annotate(total_minutes=Subquery(minutes, output_field=IntegerField()))
                  .order_by("approval_deadline_at", "pk"))
    overview.timesheets, overview.timesheets_count = _first(timesheets)
    return overview


def _first(rows):
    """(the first LIST_LIMIT rows, how many there are in all): one query, the count a window
    over every row taken before the cut."""
    first = list(rows.annotate(in_all=Window(Count("pk")))[:LIST_LIMIT])
    return first, first[0].in_all if first else 0


def _open_disputes(workspace):
    """The oldest open disputes of the workspace and how many there are, in one query: the first
    LIST_LIMIT are cut on the narrow rows of `open_disputes_in` and only they are joined to their
    milestone, engagement and freelancer."""
    open_here = open_disputes_in(workspace.pk)
    first = open_here.order_by("opened_at", "pk").values("pk")[:LIST_LIMIT]
    rows = list(Dispute.objects.filter(pk__in=first).annotate(in_all=count_of(open_here))
                .select_related("milestone__engagement__freelancer", "raised_by").order_by("opened_at", "pk"))
    return rows, rows[0].in_all if rows else 0


def _engagement_page(workspace, page):
    """Engagements with money on them, or under way: one page, with their figures."""
    # "Has a ledger transaction" as a scalar subquery cut at one row: looked up per engagement (and
    # only for those not under way), where an EXISTS is planned as a hash of the whole ledger.
    first_money = Subquery(Transaction.objects.filter(engagement=OuterRef("pk")).order_by().values("pk")[:1])
    engagements = (Engagement.objects.filter(workspace=workspace).alias(first_money=first_money)
                   .filter(Q(status__in=("active", "offered", "paused")) | Q(first_money__isnull=False))
                   .select_related("freelancer").order_by("-created_at", "-pk"))
    result = Paginator(engagements, ENGAGEMENTS_PER_PAGE).get_page(page)
    figures = budget_figures_for(result.object_list)
    result.object_list = [(e, figures[e.pk]) for e in result.object_list]
    return result


def _reviews(workspace):
    """The submitted milestones, soonest deadline first, each with the clock of its current
    submission (the one started when it became submitted) read in the same query."""
    clock = ReviewClock.objects.filter(milestone=OuterRef("pk"), submitted_at=OuterRef("state_changed_at"))
    submitted = (
        Milestone.objects.filter(engagement__workspace=workspace, state=MilestoneState.SUBMITTED)
        .exclude(review_deadline_at=None).order_by("review_deadline_at", "pk")
        .select_related("engagement__freelancer")
        .annotate(clock_deadline_at=Subquery(clock.values("deadline_at")[:1]),
                  clock_extended_at=Subquery(clock.values("extended_at")[:1]),
                  clock_found=Exists(clock))
    )
    # Counted apart: a window count would join every submitted milestone's engagement and
    # freelancer before the cut.
    rows, count = list(submitted[:LIST_LIMIT]), submitted.count()
    reviews = [ReviewDue(milestone=m, deadline_at=m.clock_deadline_at if m.clock_found else m.review_deadline_at,
                         extended=bool(m.clock_found and m.clock_extended_at)) for m in rows]
    reviews.sort(key=lambda r: r.deadline_at)
    return reviews, count


def _payables(workspace):
    """Who is owed what, per engagement, the largest first: the payable balances of the committed
    totals (CommittedTotal: a row per engagement and currency, kept with the entries), read in
    order from committed_total_owed and cut at the page, so the page costs the same at 1,000
    ledger entries or 1,000,000."""
    owed = (CommittedTotal.objects.filter(workspace=workspace, payable__gt=0)
            .annotate(owed=F("payable"), in_all=Window(Count("*")))  # how many, counted before the cut
            .values("engagement", "currency", "owed", "in_all"))
    top = list(owed.order_by("-payable", "engagement")[:LIST_LIMIT])
    engagements = Engagement.objects.select_related("freelancer").in_bulk([row["engagement"] for row in top])
    payables = []
    for row in top:
        e = engagements[row["engagement"]]
        payables.append({"freelancer": e.freelancer, "engagement": e, "owed": row["owed"], "currency": row["currency"]})
    return payables, top[0]["in_all"] if top else 0
