"""Check-in nudges: the agenda the day before, "record it" after, and "time for a check-in" when
the cadence passes with none planned."""

import datetime as dt
from datetime import UTC

import pytest
import time_machine

from engagements.models import CheckIn, Engagement
from engagements.reminders.checkins import checkin_nudges
from engagements.services.reporting import checkin_record, checkin_schedule, checkin_update
from engagements.tests.conftest import activate
from notifications.models import Notification

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 1, 12, 10, 0, tzinfo=UTC)  # Monday 12 January, 10:00 in Lisbon (UTC in winter)


def at(moment, fn, **kw):
    with time_machine.travel(moment, tick=False):
        return fn(**kw)


def kinds():
    return list(Notification.objects.order_by("created_at", "pk").values_list("kind", flat=True))


@pytest.fixture
def running(engagement, owner):
    with time_machine.travel(START, tick=False):
        engagement = activate(engagement, owner)
    Notification.objects.all().delete()
    return engagement


def schedule(engagement, owner, when, agenda="Walk through the payment step"):
    with time_machine.travel(START + dt.timedelta(hours=1), tick=False):
        return checkin_schedule(engagement=engagement, actor=owner, scheduled_at=when, agenda=agenda)


def test_the_owner_gets_the_agenda_the_day_before_and_a_request_to_record_it_after(running, owner):
    when = dt.datetime(2026, 1, 15, 14, 0, tzinfo=UTC)  # Thursday 14:00
    checkin = schedule(running, owner, when)
    Notification.objects.all().delete()
    checkin.refresh_from_db()
    assert checkin.nudge_at == dt.datetime(2026, 1, 14, 9, 0, tzinfo=UTC)  # Wednesday 09:00, workspace time

    assert at(checkin.nudge_at - dt.timedelta(minutes=1), checkin_nudges)["day_before"] == 0
    assert at(checkin.nudge_at, checkin_nudges)["day_before"] == 1
    [nudge] = Notification.objects.filter(kind="checkin_tomorrow")
    assert nudge.context["agenda"] == "Walk through the payment step"
    assert nudge.context["when"] == "Thu 15 Jan at 14:00 (UTC)"
    assert at(checkin.nudge_at + dt.timedelta(hours=2), checkin_nudges)["day_before"] == 0

    # 30 minutes long, + 1 hour: at 15:30 nothing was recorded.
    assert at(when + dt.timedelta(minutes=89), checkin_nudges)["unrecorded"] == 0
    assert at(when + dt.timedelta(minutes=90), checkin_nudges)["unrecorded"] == 1
    assert at(when + dt.timedelta(days=2), checkin_nudges)["unrecorded"] == 0
    assert kinds() == ["checkin_tomorrow", "checkin_unrecorded"]


def test_a_recorded_check_in_is_not_chased(running, owner):
    when = dt.datetime(2026, 1, 15, 14, 0, tzinfo=UTC)
    checkin = schedule(running, owner, when)
    at(dt.datetime(2026, 1, 14, 9, 0, tzinfo=UTC), checkin_nudges)
    with time_machine.travel(when + dt.timedelta(minutes=40), tick=False):
        checkin_record(checkin=checkin, actor=owner, happened=True, notes="Agreed on the flow.")
    assert at(when + dt.timedelta(hours=3), checkin_nudges)["unrecorded"] == 0
    assert "checkin_unrecorded" not in kinds()


def test_moving_a_check_in_re_arms_its_reminders(running, owner):
    checkin = schedule(running, owner, dt.datetime(2026, 1, 15, 14, 0, tzinfo=UTC))
    with time_machine.travel(START + dt.timedelta(hours=2), tick=False):
        checkin_update(checkin=checkin, actor=owner, scheduled_at=dt.datetime(2026, 1, 20, 9, 0, tzinfo=UTC),
                       agenda="Moved")
    checkin.refresh_from_db()
    assert checkin.nudge_at == dt.datetime(2026, 1, 19, 9, 0, tzinfo=UTC)
    assert at(dt.datetime(2026, 1, 14, 9, 0, tzinfo=UTC), checkin_nudges)["day_before"] == 0


def test_a_check_in_planned_for_tomorrow_afternoon_skips_the_day_before_email(running, owner):
    checkin = schedule(running, owner, START + dt.timedelta(hours=20))
    checkin.refresh_from_db()
    assert checkin.nudge_step == 1
    assert checkin.nudge_at == checkin.scheduled_at + dt.timedelta(minutes=90)


def test_when_the_cadence_passes_with_no_check_in_planned_the_owner_is_nudged_once(running):
    running.refresh_from_db()
    # Weekly: a week after the start, nothing planned.
    assert running.checkin_nudge_at == START + dt.timedelta(days=7)
    assert at(START + dt.timedelta(days=7) - dt.timedelta(minutes=1), checkin_nudges)["unscheduled"] == 0
    assert at(START + dt.timedelta(days=7), checkin_nudges)["unscheduled"] == 1
    assert at(START + dt.timedelta(days=8), checkin_nudges)["unscheduled"] == 0
    [nudge] = Notification.objects.filter(kind="checkin_unscheduled")
    assert nudge.context["every_days"] == 7


def test_no_schedule_nudge_while_a_check_in_is_planned(running, owner):
    schedule(running, owner, START + dt.timedelta(days=3))
    running.refresh_from_db()
    assert CheckIn.objects.filter(engagement=running).count() == 1
    Engagement.objects.filter(pk=running.pk).update(checkin_nudge_at=START + dt.timedelta(days=7))  # as if armed
    assert at(START + dt.timedelta(days=7), checkin_nudges)["unscheduled"] == 0
