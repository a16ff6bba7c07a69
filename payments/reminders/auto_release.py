"""What happens when nobody reviews: submitted milestones are released and submitted weeks
approved automatically once their window has passed (freelancers are protected from silence).

The beat sweep first starts the review clock of any submission that has none (submitted by a
path that did not call `review_clock_start`), then releases each due milestone and approves
each due week through its service (`milestone_auto_release`, `timesheet_auto_approve`). Each of
those claims its row by a conditional UPDATE and carries an idempotency key naming the
submission, so two sweeps at once (or one run twice) release and approve each one once.
"""

import logging

from django.db.models import Exists, OuterRef
from django.utils import timezone

from engagements.models import Milestone, MilestoneState

from ..errors import PaymentError, StateConflict
from ..models import ReviewClock, Timesheet, TimesheetState
from ..services.escrow import milestone_auto_release, review_clock_start
from ..services.timesheets import timesheet_auto_approve

log = logging.getLogger(__name__)


def review_deadlines_sync(*, batch=500):
    """Start clocks for submissions that have none yet. The anti-join only reads submitted
    milestones (partial index)."""
    missing = (
        Milestone.objects.filter(state=MilestoneState.SUBMITTED)
        .exclude(Exists(ReviewClock.objects.filter(milestone=OuterRef("pk"),
                                                   submitted_at=OuterRef("state_changed_at"))))
        .values_list("pk", flat=True)[:batch]
    )
    started = 0
    for pk in list(missing):
        if review_clock_start(milestone_id=pk) is not None:
            started += 1
    return started


def auto_release_due(*, now=None, batch=200):
    """Start missing clocks, then release every submitted milestone whose review deadline has
    passed."""
    now = now or timezone.now()
    started = review_deadlines_sync()
    due = list(
        Milestone.objects.filter(state=MilestoneState.SUBMITTED, review_deadline_at__lte=now)
        .order_by("review_deadline_at").values_list("pk", flat=True)[:batch]
    )
    released = 0
    for pk in due:
        try:
            if milestone_auto_release(milestone_id=pk, now=now) is not None:
                released += 1
        except PaymentError:
            log.exception("Automatic release of milestone %s failed", pk)
    return {"clocks_started": started, "released": released}


def timesheets_auto_approve(*, now=None, batch=200):
    """Approve submitted weeks nobody reviewed within the window, recorded as automatic."""
    now = now or timezone.now()
    due = list(
        Timesheet.objects.filter(state=TimesheetState.SUBMITTED, approval_deadline_at__lte=now)
        .select_related("engagement__workspace", "engagement__freelancer").order_by("approval_deadline_at")[:batch]
    )
    approved = 0
    for ts in due:
        try:
            tx = timesheet_auto_approve(timesheet=ts)
        except StateConflict:
            continue  # approved or disputed by a person in the meantime
        except PaymentError:
            log.exception("Automatic approval of timesheet %s failed", ts.pk)
            continue
        if not tx.replayed:
            approved += 1
    return approved


def auto_release_sweep(*, now=None):
    """Beat, every minute: automatic releases of unreviewed milestones and automatic approvals
    of unreviewed timesheets. Safe to run twice or concurrently."""
    result = auto_release_due(now=now)
    result["timesheets_approved"] = timesheets_auto_approve(now=now)
    return result
