"""What happens when nobody reviews: submitted milestones are released and submitted weeks
approved automatically once their window has passed (freelancers are protected from silence).

The beat sweep first starts the review clock of any submission that has none (submitted by a
path that did not call `review_clock_start`), then releases the due milestones and approves the
due weeks a batch at a time (`milestone_auto_release_many`, `timesheet_auto_approve_many`): the
batch's rows are locked and claimed by one conditional UPDATE, and its ledger rows, timeline
lines and emails written with one INSERT each, under idempotency and dedupe keys naming each
submission. So two sweeps at once (or one run twice) release and approve each one once, and a
sweep's statements grow with its batches, not its rows.

Like every sweep it drains (`notifications.sweeps.drain`): batch after batch, each in its own
transaction, until one comes back short. A batch reads on from where the last one stopped, in
deadline order. Should a batch fail as a whole (a database constraint refusing one of its
rows), it is rolled back and its rows are released one by one through the per-row service,
so a row whose release keeps failing (logged) is passed over and holds back no other.
"""

import logging

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from engagements.models import Milestone, MilestoneState
from engagements.services.transitions import TransitionError
from notifications.sweeps import BATCH, MAX_BATCHES, drain

from ..errors import PaymentError, StateConflict
from ..models import ReviewClock, Timesheet, TimesheetState
from ..providers import stripe_enabled
from ..services.auto_release import milestone_auto_release_many, timesheet_auto_approve_many
from ..services.escrow import milestone_auto_release, review_clock_start
from ..services.timesheets import timesheet_auto_approve

log = logging.getLogger(__name__)

# A batch is released (approved) set-based, in a fixed number of statements, so these sweeps
# take the ladders' batches. (Row by row they took 27 and 19 statements per row in batches of 200.)
RELEASE_BATCH = BATCH
RELEASE_MAX_BATCHES = MAX_BATCHES


def _after(cursor, field):
    """The rows after `cursor` = (value of `field`, pk) in the order (field, pk); all when None."""
    if cursor is None:
        return Q()
    value, pk = cursor
    return Q(**{f"{field}__gt": value}) | Q(**{field: value, "pk__gt": pk})


def review_deadlines_sync(*, now=None, batch=BATCH):
    """Start clocks for submissions that have none yet. The anti-join only reads submitted
    milestones (partial index), unordered: `Milestone.Meta.ordering` would join and sort every
    engagement each minute to find none."""
    def start_batch(now, batch):
        missing = list(
            Milestone.objects.filter(state=MilestoneState.SUBMITTED)
            .exclude(Exists(ReviewClock.objects.filter(milestone=OuterRef("pk"),
                                                       submitted_at=OuterRef("state_changed_at"))))
            .order_by().values_list("pk", flat=True)[:batch]
        )
        started = sum(review_clock_start(milestone_id=pk) is not None for pk in missing)
        return len(missing), {"started": started}

    return drain(start_batch, now=now or timezone.now(), batch=batch).get("started", 0)


def _each(pks, set_based, one, what):
    """`set_based(pks)` in a savepoint; if the batch is refused as a whole (or there is no
    set-based way), `one(pk)` for each row in its own transaction (logged when it fails). Returns
    how many were done."""
    try:
        if set_based is not None:
            with transaction.atomic():
                return len(set_based(pks))
    except (IntegrityError, PaymentError, TransitionError):
        log.warning("The batch of %s failed as a whole; doing its %s rows one by one", what, len(pks), exc_info=True)
    done = 0
    for pk in pks:
        try:
            done += one(pk)
        except StateConflict:
            continue  # approved, released or disputed by a person in the meantime
        except PaymentError:
            log.exception("Automatic %s %s failed", what, pk)
    return done


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
        if not due:
            return 0, {"released": 0}
        cursor = (due[-1][1], due[-1][0])
        released = _each(
            [pk for pk, _ in due], lambda pks: milestone_auto_release_many(milestone_ids=pks, now=now),
            lambda pk: milestone_auto_release(milestone_id=pk, now=now) is not None, "release of milestone",
        )
        return len(due), {"released": released}

    released = drain(release_batch, now=now, batch=batch, max_batches=RELEASE_MAX_BATCHES).get("released", 0)
    return {"clocks_started": started, "released": released}


def timesheets_auto_approve(*, now=None, batch=RELEASE_BATCH):
    """Approve submitted weeks nobody reviewed within the window, recorded as automatic."""
    cursor = None

    def approve_one(pk):
        ts = Timesheet.objects.select_related("engagement__workspace", "engagement__freelancer").get(pk=pk)
        if ts.state != TimesheetState.SUBMITTED or ts.approval_deadline_at is None or ts.approval_deadline_at > now:
            return 0
        return not timesheet_auto_approve(timesheet=ts).replayed

    def approve_batch(now, batch):
        nonlocal cursor
        due = list(
            Timesheet.objects.filter(state=TimesheetState.SUBMITTED, approval_deadline_at__lte=now)
            .filter(_after(cursor, "approval_deadline_at")).order_by("approval_deadline_at", "pk")
            .values_list("pk", "approval_deadline_at")[:batch]
        )
        if not due:
            return 0, {"approved": 0}
        cursor = (due[-1][1], due[-1][0])
        # With Stripe on, each week is charged before it is owed: one by one (provider_charges.py).
        batched = None if stripe_enabled() else (lambda pks: timesheet_auto_approve_many(timesheet_ids=pks, now=now))
        approved = _each([pk for pk, _ in due], batched, approve_one, "approval of timesheet")
        return len(due), {"approved": approved}

    now = now or timezone.now()
    return drain(approve_batch, now=now, batch=batch, max_batches=RELEASE_MAX_BATCHES).get("approved", 0)
def auto_release_sweep(*, now=None):
    """Beat, every minute: automatic releases of unreviewed milestones and automatic approvals
    of unreviewed timesheets. Safe to run twice or concurrently."""
    result = auto_release_due(now=now)
    result["timesheets_approved"] = timesheets_auto_approve(now=now)
    return result
