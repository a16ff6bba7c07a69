from datetime import UTC, datetime

import pytest

from notifications.models import Notification
from payments import services
from payments.errors import InvalidInput, NotAllowed, StateConflict
from payments.models import AccountKind, Entry, TimesheetState, Transaction, amount_for
from payments.reminders.auto_release import auto_release_sweep
from payments.selectors import budget_figures

from ..conftest import MONDAY, log

pytestmark = pytest.mark.django_db


def test_a_week_starts_on_monday(week):
    assert week.week_start == MONDAY and week.state == TimesheetState.DRAFT


def test_the_weekly_cap_is_enforced(week, freelancer):
    log(week, freelancer, 0, 300)
    log(week, freelancer, 1, 240)
    with pytest.raises(InvalidInput, match=r"weekly cap is 10 h; 9 h 00 min are already logged, so at most 1 h 00 min"):
        log(week, freelancer, 2, 61)
    log(week, freelancer, 2, 60)
    assert sum(e.minutes for e in week.entries.all()) == 600
    with pytest.raises(InvalidInput, match="weekly cap"):
        log(week, freelancer, 3, 1)


def test_entries_must_fall_in_the_week_and_have_a_description(week, freelancer):
    with pytest.raises(InvalidInput, match="not in this timesheet's week"):
        log(week, freelancer, 7, 30)
    with pytest.raises(InvalidInput, match="what you worked on"):
        log(week, freelancer, 0, 30, what=" ")
    with pytest.raises(InvalidInput, match="between 1 minute and 24 hours"):
        log(week, freelancer, 0, 0)


def test_only_the_freelancer_logs_time(week, owner):
    with pytest.raises(NotAllowed):
        services.timesheet_entry_add(timesheet=week, actor=owner, day=MONDAY, minutes=30, description="x")


def test_milestone_engagements_have_no_timesheets(engagement, freelancer):
    with pytest.raises(InvalidInput, match="hourly"):
        services.timesheet_for_week(engagement=engagement, day=MONDAY, actor=freelancer.user)


def test_approval_makes_the_week_owed_from_owner_funding_not_escrow(week, freelancer, owner, hourly):
    log(week, freelancer, 0, 90)
    log(week, freelancer, 1, 45)
    services.timesheet_submit(timesheet=week, actor=freelancer.user)
    week.refresh_from_db()
    assert week.state == TimesheetState.SUBMITTED and week.hourly_rate == 5000
    assert week.approval_deadline_at == datetime(2026, 3, 22, 18, 0, tzinfo=UTC)
    with pytest.raises(StateConflict, match="can no longer be changed"):
        log(week, freelancer, 2, 10)
    tx = services.timesheet_approve(timesheet=week, actor=owner, idempotency_key="ts-1")
    week.refresh_from_db()
    assert week.state == TimesheetState.APPROVED and week.transaction == tx
    assert amount_for(135, 5000) == 11_250
    payable = Entry.objects.get(transaction=tx, account__kind=AccountKind.PAYABLE)
    assert payable.amount == 11_250
    assert not Entry.objects.filter(account__kind=AccountKind.ESCROW).exists()
    figures = budget_figures(hourly)
    assert (figures.hourly, figures.owed, figures.committed) == (11_250, 11_250, 11_250)
    assert Notification.objects.filter(kind="timesheet_approved").exists()
    again = services.timesheet_approve(timesheet=week, actor=owner, idempotency_key="ts-1")
    assert again.replayed and Transaction.objects.filter(kind="timesheet").count() == 1


def test_a_disputed_week_is_corrected_and_resubmitted(week, freelancer, owner, manager):
    entry = log(week, freelancer, 0, 600)
    services.timesheet_submit(timesheet=week, actor=freelancer.user)
    services.timesheet_dispute(timesheet=week, actor=manager, reason="Monday was a holiday")
    week.refresh_from_db()
    assert week.state == TimesheetState.DISPUTED and week.dispute_reason == "Monday was a holiday"
    assert Notification.objects.filter(kind="timesheet_disputed").exists()
    with pytest.raises(NotAllowed):
        services.timesheet_approve(timesheet=week, actor=manager, idempotency_key="m")
    services.timesheet_entry_delete(entry=entry, actor=freelancer.user)
    log(week, freelancer, 1, 120)
    services.timesheet_submit(timesheet=week, actor=freelancer.user)
    tx = services.timesheet_approve(timesheet=week, actor=owner, idempotency_key="ts-2")
    assert Entry.objects.get(transaction=tx, account__kind=AccountKind.PAYABLE).amount == 10_000


def test_an_empty_week_cannot_be_submitted(week, freelancer):
    with pytest.raises(InvalidInput, match="Log some time"):
        services.timesheet_submit(timesheet=week, actor=freelancer.user)


def test_a_freelancer_without_an_hourly_rate_cannot_submit(week, freelancer):
    freelancer.rate_unit = "day"
    freelancer.save()
    log(week, freelancer, 0, 60)
    with pytest.raises(InvalidInput, match="no hourly rate"):
        services.timesheet_submit(timesheet=week, actor=freelancer.user)
    week.refresh_from_db()
    assert week.state == TimesheetState.DRAFT


def test_an_unreviewed_week_is_approved_automatically_once(week, freelancer, time_machine):
    log(week, freelancer, 0, 60)
    services.timesheet_submit(timesheet=week, actor=freelancer.user)
    time_machine.move_to(datetime(2026, 3, 22, 18, 1, tzinfo=UTC), tick=False)
    assert auto_release_sweep()["timesheets_approved"] == 1
    assert auto_release_sweep()["timesheets_approved"] == 0
    tx = Transaction.objects.get(kind="timesheet")
    assert tx.automatic and tx.actor is None


def test_the_sweep_never_approves_a_week_disputed_or_extended_after_it_read_it(week, freelancer, owner,
                                                                              time_machine):
    log(week, freelancer, 0, 60)
    services.timesheet_submit(timesheet=week, actor=freelancer.user)
    time_machine.move_to(datetime(2026, 3, 22, 18, 1, tzinfo=UTC), tick=False)
    read_by_the_sweep = type(week).objects.get(pk=week.pk)  # submitted and due when the sweep read it
    services.timesheet_dispute(timesheet=week, actor=owner, reason="Monday's hours are for another client.")
    with pytest.raises(StateConflict, match="no longer waiting"):
        services.timesheet_auto_approve(timesheet=read_by_the_sweep)
    week.refresh_from_db()
    assert week.state == TimesheetState.DISPUTED and not Transaction.objects.filter(kind="timesheet").exists()


def test_approval_can_be_extended_once(week, freelancer, owner, time_machine):
    log(week, freelancer, 0, 60)
    services.timesheet_submit(timesheet=week, actor=freelancer.user)
    services.timesheet_approval_extend(timesheet=week, actor=owner, days=3)
    with pytest.raises(StateConflict, match="already extended once"):
        services.timesheet_approval_extend(timesheet=week, actor=owner, days=3)
    time_machine.move_to(datetime(2026, 3, 23, 18, 0, tzinfo=UTC), tick=False)
    assert auto_release_sweep()["timesheets_approved"] == 0
