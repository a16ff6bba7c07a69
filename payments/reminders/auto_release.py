"""What happens when nobody reviews: submitted milestones are released and submitted weeks
approved automatically once their window has passed (freelancers are protected from silence).

The beat sweep first starts the review clock of any submission that has none (submitted by a
path that did not call `review_clock_start`), then releases each due milestone and approves
each due week through its service (`milestone_auto_release`, `timesheet_auto_approve`). Each of
those claims its row by a conditional UPDATE and carries an idempotency key naming the
submission, so two sweeps at once (or one run twice) release and approve each one once.

Like every sweep it drains (`notifications.sweeps.drain`): batch after batch, each in its own
transaction, until one comes back short. A batch reads on from where the last one stopped, in
deadline order, so a row whose release keeps failing (logged) is passed over, not read again.
"""

import logging

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from engagements.models import Milestone, MilestoneState
from notifications.sweeps import BATCH, MAX_BATCHES, drain

from ..errors import PaymentError, StateConflict
from ..models import ReviewClock, Timesheet, TimesheetState
from ..services.escrow import milestone_auto_release, review_clock_start
from ..services.timesheets import timesheet_auto_approve

log = logging.getLogger(__name__)

# Releases and approvals write ledger rows and emails: smaller batches keep each transaction short,
# and a run drains as many rows as every other sweep's (BATCH * MAX_BATCHES), in more batches.
# (It was 40 batches of 200: 10,000 due reviews took two runs; before that, one batch: 50 runs.)
RELEASE_BATCH = 200
RELEASE_MAX_BATCHES = BATCH * MAX_BATCHES // RELEASE_BATCH


def _after(cursor, field):
    """The rows after `cursor` = (value of `field`, pk) in the order (field, pk); all when None."""
    if cursor is None:
        return Q()
    value, pk = cursor
    return Q(**{f"{field}__gt": value}) | Q(**{field: value, "pk__gt": pk})


def review_deadlines_sync(*, now=None, batch=BATCH):
    """Start clocks for submissions that have none yet. The anti-join only reads submitted
    milestones (partial index)."""
    def start_batch(now, batch):
        missing = list(
            Milestone.objects.filter(state=MilestoneState.SUBMITTED)
            .exclude(Exists(ReviewClock.objects.filter(milestone=OuterRef("pk"),
                                                       submitted_at=OuterRef("state_changed_at"))))
            .values_list("pk", flat=True)[:batch]
        )
        started = sum(review_clock_start(milestone_id=pk) is not None for pk in missing)
        return len(missing), {"started": started}

    return drain(start_batch, now=now or timezone.now(), batch=batch).get("started", 0)


def auto_release_due(*, now=None, batch=RELEASE_BATCH):
    """Start missing clocks, then release every submitted milestone whose review deadline has
    passed."""
    now = now or timezone.now()
    started = review_deadlines_sync(now=now)
    cursor = None

    def release_batch(now, batch):
        nonlocal cursor
        due = list(
            Milestone.objects.filter(state=MilestoneState.SUBMITTED, review_deadline_at__lte=now)
            .filter(_after(cursor, "review_deadline_at")).order_by("review_deadline_at", "pk")
            .values_list("pk", "review_deadline_at")[:batch]
        )
        released = 0
        for pk, deadline in due:
            cursor = (deadline, pk)
            try:
                released += milestone_auto_release(milestone_id=pk, now=now) is not None
            except PaymentError:
                log.exception("Automatic release of milestone %s failed", pk)
        return len(due), {"released": released}

    released = drain(release_batch, now=now, batch=batch, max_batches=RELEASE_MAX_BATCHES).get("released", 0)
    return {"clocks_started": started, "released": released}


def timesheets_auto_approve(*, now=None, batch=RELEASE_BATCH):
    """Approve submitted weeks nobody reviewed within the window, recorded as automatic."""
    cursor = None

    def approve_batch(now, batch):
        nonlocal cursor
        due = list(
            Timesheet.objects.filter(state=TimesheetState.SUBMITTED, approval_deadline_at__lte=now)
            .filter(_after(cursor, "approval_deadline_at")).order_by("approval_deadline_at", "pk")
            .select_related("engagement__workspace", "engagement__freelancer")[:batch]
        )
        approved = 0
        for ts in due:
            cursor = (ts.approval_deadline_at, ts.pk)
            try:
                approved += not timesheet_auto_approve(timesheet=ts).replayed
            except StateConflict:
                continue  # approved or disputed by a person in the meantime
            except PaymentError:
                log.exception("Automatic approval of timesheet %s failed", ts.pk)
        return len(due), {"approved": approved}

    return drain(approve_batch, now=now or timezone.now(), batch=batch,
                 max_batches=RELEASE_MAX_BATCHES).get("approved", 0)


def auto_release_sweep(*, now=None):
    """Beat, every minute: automatic releases of unreviewed milestones and automatic approvals
    of unreviewed timesheets. Safe to run twice or concurrently."""
    result = auto_release_due(now=now)
    result["timesheets_approved"] = timesheets_auto_approve(now=now)
    return result
