"""The workspace's money overview: what is held in escrow and owed, per currency; reviews due
with the days left; open disputes; weeks waiting for approval."""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch, Sum
from django.utils import timezone

from engagements.models import Engagement, Milestone, MilestoneState

from ..models import Dispute, ReviewClock, Timesheet, TimesheetState
from .balances import budget_figures_for


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
