"""The silence detector and the check-in nudges."""

import datetime as dt
from datetime import UTC

import pytest
import time_machine

from engagements import reminders
from engagements.models import ActivityKind, CheckIn, Engagement
from engagements.selectors import engagement_list
from engagements.services.ladders import engagement_reminders_update
from engagements.services.reporting import checkin_record, checkin_schedule, checkin_update, status_update_post
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


# --- Silence ---------------------------------------------------------------------------------------
def test_five_quiet_days_mark_the_engagement_gone_quiet_and_nudge_the_owner_once(running, other_freelancer):
    running.backups.add(other_freelancer)
    running.refresh_from_db()
    # The freelancer's last sign: acknowledging the brief at the start.
    assert running.quiet_check_at == START + dt.timedelta(days=5)
    assert at(START + dt.timedelta(days=5) - dt.timedelta(minutes=1), reminders.silence_detector) == {"gone_quiet": 0}

    assert at(START + dt.timedelta(days=5), reminders.silence_detector) == {"gone_quiet": 1}
    assert at(START + dt.timedelta(days=6), reminders.silence_detector) == {"gone_quiet": 0}
    [nudge] = Notification.objects.filter(kind="engagement_gone_quiet")
    assert nudge.recipient_email == "owner@example.com"
    assert nudge.context["days_silent"] == 5
    assert nudge.context["backups"] == ["Bruno Backup"]
    assert nudge.context["url"].endswith(f"/engagements/{running.pk}/check-ins/")
    running.refresh_from_db()
    assert running.gone_quiet_at == START + dt.timedelta(days=5)
    # Shown as at risk, and on the timeline.
    assert list(engagement_list(running.workspace, at_risk=True, now=START + dt.timedelta(days=5, hours=1))
                ) == [running]
    assert running.activities.filter(kind=ActivityKind.GONE_QUIET).count() == 1


def test_an_update_lifts_the_gone_quiet_mark_and_restarts_the_count(running):
    at(START + dt.timedelta(days=5), reminders.silence_detector)
    with time_machine.travel(START + dt.timedelta(days=6), tick=False):
        status_update_post(engagement_id=running.pk, freelancer=running.freelancer, done="Back on it",
                           next="Checkout", percent_complete=30)
    running.refresh_from_db()
    assert running.gone_quiet_at is None
    assert running.quiet_check_at == START + dt.timedelta(days=11)
    assert at(START + dt.timedelta(days=10), reminders.silence_detector) == {"gone_quiet": 0}
    assert at(START + dt.timedelta(days=11), reminders.silence_detector) == {"gone_quiet": 1}
    assert kinds().count("engagement_gone_quiet") == 2


def test_a_portal_visit_counts_as_a_sign_of_life(running):
    from portal.models import PortalAccess

    PortalAccess.objects.create(freelancer=running.freelancer, last_seen_at=START + dt.timedelta(days=4))
    assert at(START + dt.timedelta(days=5), reminders.silence_detector) == {"gone_quiet": 0}
    running.refresh_from_db()
    assert running.quiet_check_at == START + dt.timedelta(days=9)
    assert running.gone_quiet_at is None
    assert at(START + dt.timedelta(days=9), reminders.silence_detector) == {"gone_quiet": 1}


def test_the_threshold_is_per_engagement_and_zero_turns_it_off(running, owner):
    engagement_reminders_update(engagement=running, actor=owner, quiet_after_days=0)
    assert at(START + dt.timedelta(days=30), reminders.silence_detector) == {"gone_quiet": 0}
    engagement_reminders_update(engagement=running, actor=owner, quiet_after_days=2)
    running.refresh_from_db()
    assert running.quiet_check_at == START + dt.timedelta(days=2)


# --- Check-ins ---------------------------------------------------------------------------------------
def schedule(engagement, owner, when, agenda="Walk through the payment step"):
    with time_machine.travel(START + dt.timedelta(hours=1), tick=False):
        return checkin_schedule(engagement=engagement, actor=owner, scheduled_at=when, agenda=agenda)


def test_the_owner_gets_the_agenda_the_day_before_and_a_request_to_record_it_after(running, owner):
    when = dt.datetime(2026, 1, 15, 14, 0, tzinfo=UTC)  # Thursday 14:00
    checkin = schedule(running, owner, when)
    Notification.objects.all().delete()
    checkin.refresh_from_db()
    assert checkin.nudge_at == dt.datetime(2026, 1, 14, 9, 0, tzinfo=UTC)  # Wednesday 09:00, workspace time

    assert at(checkin.nudge_at - dt.timedelta(minutes=1), reminders.checkin_nudges)["day_before"] == 0
    assert at(checkin.nudge_at, reminders.checkin_nudges)["day_before"] == 1
    [nudge] = Notification.objects.filter(kind="checkin_tomorrow")
    assert nudge.context["agenda"] == "Walk through the payment step"
    assert nudge.context["when"] == "Thu 15 Jan at 14:00 (UTC)"
    assert at(checkin.nudge_at + dt.timedelta(hours=2), reminders.checkin_nudges)["day_before"] == 0

    # 30 minutes long, + 1 hour: at 15:30 nothing was recorded.
    assert at(when + dt.timedelta(minutes=89), reminders.checkin_nudges)["unrecorded"] == 0
    assert at(when + dt.timedelta(minutes=90), reminders.checkin_nudges)["unrecorded"] == 1
    assert at(when + dt.timedelta(days=2), reminders.checkin_nudges)["unrecorded"] == 0
    assert kinds() == ["checkin_tomorrow", "checkin_unrecorded"]


def test_a_recorded_check_in_is_not_chased(running, owner):
    when = dt.datetime(2026, 1, 15, 14, 0, tzinfo=UTC)
    checkin = schedule(running, owner, when)
    at(dt.datetime(2026, 1, 14, 9, 0, tzinfo=UTC), reminders.checkin_nudges)
    with time_machine.travel(when + dt.timedelta(minutes=40), tick=False):
        checkin_record(checkin=checkin, actor=owner, happened=True, notes="Agreed on the flow.")
    assert at(when + dt.timedelta(hours=3), reminders.checkin_nudges)["unrecorded"] == 0
    assert "checkin_unrecorded" not in kinds()


def test_moving_a_check_in_re_arms_its_reminders(running, owner):
    checkin = schedule(running, owner, dt.datetime(2026, 1, 15, 14, 0, tzinfo=UTC))
    with time_machine.travel(START + dt.timedelta(hours=2), tick=False):
        checkin_update(checkin=checkin, actor=owner, scheduled_at=dt.datetime(2026, 1, 20, 9, 0, tzinfo=UTC),
                       agenda="Moved")
    checkin.refresh_from_db()
    assert checkin.nudge_at == dt.datetime(2026, 1, 19, 9, 0, tzinfo=UTC)
    assert at(dt.datetime(2026, 1, 14, 9, 0, tzinfo=UTC), reminders.checkin_nudges)["day_before"] == 0


def test_a_check_in_planned_for_tomorrow_afternoon_skips_the_day_before_email(running, owner):
    checkin = schedule(running, owner, START + dt.timedelta(hours=20))
    checkin.refresh_from_db()
    assert checkin.nudge_step == 1
    assert checkin.nudge_at == checkin.scheduled_at + dt.timedelta(minutes=90)


def test_when_the_cadence_passes_with_no_check_in_planned_the_owner_is_nudged_once(running):
    running.refresh_from_db()
    # Weekly: a week after the start, nothing planned.
    assert running.checkin_nudge_at == START + dt.timedelta(days=7)
    assert at(START + dt.timedelta(days=7) - dt.timedelta(minutes=1), reminders.checkin_nudges)["unscheduled"] == 0
    assert at(START + dt.timedelta(days=7), reminders.checkin_nudges)["unscheduled"] == 1
    assert at(START + dt.timedelta(days=8), reminders.checkin_nudges)["unscheduled"] == 0
    [nudge] = Notification.objects.filter(kind="checkin_unscheduled")
    assert nudge.context["every_days"] == 7


def test_no_schedule_nudge_while_a_check_in_is_planned(running, owner):
    schedule(running, owner, START + dt.timedelta(days=3))
    running.refresh_from_db()
    assert CheckIn.objects.filter(engagement=running).count() == 1
    Engagement.objects.filter(pk=running.pk).update(checkin_nudge_at=START + dt.timedelta(days=7))  # as if armed
    assert at(START + dt.timedelta(days=7), reminders.checkin_nudges)["unscheduled"] == 0
