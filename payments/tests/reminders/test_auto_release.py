from datetime import UTC, datetime, timedelta

import pytest

from engagements.models import MilestoneState
from engagements.services.transitions import milestone_transition
from notifications.models import Notification
from payments import services, tasks
from payments.errors import StateConflict
from payments.models import PaymentSettings, ReviewClock, Transaction
from payments.reminders.auto_release import auto_release_due, auto_release_sweep, timesheets_auto_approve

from ..conftest import MONDAY, fund, submit

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def submitted_at_t0(milestone, owner, time_machine):
    time_machine.move_to(T0 - timedelta(days=1), tick=False)
    fund(milestone, owner)
    time_machine.move_to(T0, tick=False)
    return submit(milestone)


def state(m):
    m.refresh_from_db()
    return m.state


def test_submission_sets_the_review_deadline_from_the_workspace_window(submitted_at_t0):
    assert submitted_at_t0.review_deadline_at == T0 + timedelta(days=14)


def test_unreviewed_work_is_released_after_the_window_once_even_if_the_sweep_runs_twice(
    submitted_at_t0, time_machine, owner
):
    time_machine.move_to(T0 + timedelta(days=13, hours=23), tick=False)
    assert auto_release_sweep()["released"] == 0
    assert state(submitted_at_t0) == MilestoneState.SUBMITTED

    time_machine.move_to(T0 + timedelta(days=14, minutes=1), tick=False)
    assert tasks.auto_release_sweep() == {"clocks_started": 0, "released": 1, "timesheets_approved": 0}
    assert auto_release_sweep()["released"] == 0
    assert state(submitted_at_t0) == MilestoneState.RELEASED
    release = Transaction.objects.get(kind="release")
    assert release.automatic and release.actor is None
    assert "automatically" in release.memo
    # Both sides are told, once each.
    notes = Notification.objects.filter(kind="escrow_released")
    assert sorted(n.recipient_email for n in notes) == ["frida@example.com", owner.email]


def test_the_review_window_is_configurable_per_workspace(milestone, owner, workspace, time_machine):
    PaymentSettings.objects.create(workspace=workspace, review_window_days=3)
    time_machine.move_to(T0, tick=False)
    fund(milestone, owner)
    submit(milestone)
    assert milestone.review_deadline_at == T0 + timedelta(days=3)
    time_machine.move_to(T0 + timedelta(days=3, seconds=1), tick=False)
    auto_release_sweep()
    assert state(milestone) == MilestoneState.RELEASED


def test_the_owner_can_extend_the_review_once_per_submission(submitted_at_t0, owner, manager, time_machine):
    time_machine.move_to(T0 + timedelta(days=10), tick=False)
    clock = services.milestone_review_extend(milestone=submitted_at_t0, actor=manager, days=7, reason="On holiday")
    assert clock.deadline_at == T0 + timedelta(days=21)
    assert (clock.extended_by, clock.extension_reason) == (manager, "On holiday")
    with pytest.raises(StateConflict, match="already extended once"):
        services.milestone_review_extend(milestone=submitted_at_t0, actor=owner, days=3)
    submitted_at_t0.refresh_from_db()
    assert submitted_at_t0.review_deadline_at == T0 + timedelta(days=21)

    time_machine.move_to(T0 + timedelta(days=15), tick=False)
    auto_release_sweep()
    assert state(submitted_at_t0) == MilestoneState.SUBMITTED
    time_machine.move_to(T0 + timedelta(days=21, seconds=1), tick=False)
    auto_release_sweep()
    assert state(submitted_at_t0) == MilestoneState.RELEASED
    assert Notification.objects.filter(kind="review_extended").count() == 1


def test_a_resubmission_starts_a_new_window_and_may_be_extended_again(submitted_at_t0, owner, time_machine):
    time_machine.move_to(T0 + timedelta(days=2), tick=False)
    services.milestone_review_extend(milestone=submitted_at_t0, actor=owner, days=2)
    time_machine.move_to(T0 + timedelta(days=13), tick=False)
    milestone_transition(milestone_id=submitted_at_t0.pk, to_state="changes_requested")
    time_machine.move_to(T0 + timedelta(days=13, hours=12), tick=False)
    # Resubmitted through a path that did not start the clock: the old deadline is stale.
    milestone_transition(milestone_id=submitted_at_t0.pk, to_state="submitted")
    time_machine.move_to(T0 + timedelta(days=16, hours=1), tick=False)
    result = auto_release_sweep()
    assert result == {"clocks_started": 1, "released": 0, "timesheets_approved": 0}
    submitted_at_t0.refresh_from_db()
    assert submitted_at_t0.state == MilestoneState.SUBMITTED
    assert submitted_at_t0.review_deadline_at == T0 + timedelta(days=27, hours=12)
    services.milestone_review_extend(milestone=submitted_at_t0, actor=owner, days=1)
    assert ReviewClock.objects.filter(milestone=submitted_at_t0).count() == 2


def test_a_dispute_stops_the_clock(submitted_at_t0, owner, time_machine):
    services.milestone_dispute(milestone=submitted_at_t0, actor=owner, reason="Not what we agreed",
                               idempotency_key="d1")
    time_machine.move_to(T0 + timedelta(days=30), tick=False)
    assert auto_release_sweep()["released"] == 0
    assert state(submitted_at_t0) == MilestoneState.DISPUTED


def test_extension_after_the_deadline_is_refused(submitted_at_t0, owner, time_machine):
    time_machine.move_to(T0 + timedelta(days=14, seconds=1), tick=False)
    with pytest.raises(StateConflict, match="already passed"):
        services.milestone_review_extend(milestone=submitted_at_t0, actor=owner, days=3)


def test_one_sweep_releases_every_due_milestone_batch_after_batch(make_milestone, owner, time_machine):
    time_machine.move_to(T0 - timedelta(days=1), tick=False)
    milestones = [make_milestone(amount=10_000, title=f"Part {n}") for n in range(5)]
    for m in milestones:
        fund(m, owner)
    time_machine.move_to(T0, tick=False)
    for m in milestones:
        submit(m)
    time_machine.move_to(T0 + timedelta(days=14, minutes=1), tick=False)
    assert auto_release_due(batch=2) == {"clocks_started": 0, "released": 5}
    assert {state(m) for m in milestones} == {MilestoneState.RELEASED}
    assert Transaction.objects.filter(kind="release", automatic=True).count() == 5
    assert auto_release_due(batch=2) == {"clocks_started": 0, "released": 0}


def test_a_release_that_fails_is_passed_over_and_the_rest_are_released(make_milestone, owner, time_machine):
    time_machine.move_to(T0, tick=False)
    # A submitted milestone the ledger holds nothing for (never funded): its release is refused.
    empty = make_milestone(title="Never funded")
    type(empty).objects.filter(pk=empty.pk).update(state=MilestoneState.SUBMITTED, state_changed_at=T0)
    services.review_clock_start(milestone_id=empty.pk)
    time_machine.move_to(T0 + timedelta(hours=1), tick=False)
    funded = [make_milestone(amount=10_000, title=f"Part {n}") for n in range(2)]
    for m in funded:
        fund(m, owner)
        submit(m)
    time_machine.move_to(T0 + timedelta(days=15), tick=False)
    assert auto_release_due(batch=1)["released"] == 2
    assert state(empty) == MilestoneState.SUBMITTED


def test_one_sweep_approves_every_due_week_batch_after_batch(hourly, freelancer, time_machine):
    weeks = []
    for day in (MONDAY - timedelta(days=7), MONDAY):
        week = services.timesheet_for_week(engagement=hourly, day=day, actor=freelancer.user)
        services.timesheet_entry_add(timesheet=week, actor=freelancer.user, day=day, minutes=60,
                                     description="Editing")
        services.timesheet_submit(timesheet=week, actor=freelancer.user)
        weeks.append(week)
    time_machine.move_to(datetime(2026, 3, 23, 18, 1, tzinfo=UTC), tick=False)
    assert timesheets_auto_approve(batch=1) == 2
    assert Transaction.objects.filter(kind="timesheet", automatic=True).count() == 2
    assert timesheets_auto_approve(batch=1) == 0
