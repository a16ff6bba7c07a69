"""The silence detector: five quiet days mark the engagement gone quiet and nudge the owner once;
any sign of the freelancer starts the count again."""

import datetime as dt
from datetime import UTC

import pytest
import time_machine

from engagements.models import ActivityKind
from engagements.reminders.silence import silence_detector
from engagements.selectors import engagement_list
from engagements.services.ladders import engagement_reminders_update
from engagements.services.reporting import status_update_post
from engagements.tests.conftest import activate
from notifications.models import Notification
from portal.models import PortalAccess

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


def test_five_quiet_days_mark_the_engagement_gone_quiet_and_nudge_the_owner_once(running, other_freelancer):
    running.backups.add(other_freelancer)
    running.refresh_from_db()
    # The freelancer's last sign: acknowledging the brief at the start.
    assert running.quiet_check_at == START + dt.timedelta(days=5)
    assert at(START + dt.timedelta(days=5) - dt.timedelta(minutes=1), silence_detector) == {"gone_quiet": 0}

    assert at(START + dt.timedelta(days=5), silence_detector) == {"gone_quiet": 1}
    assert at(START + dt.timedelta(days=6), silence_detector) == {"gone_quiet": 0}
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
    at(START + dt.timedelta(days=5), silence_detector)
    with time_machine.travel(START + dt.timedelta(days=6), tick=False):
        status_update_post(engagement_id=running.pk, freelancer=running.freelancer, done="Back on it",
                           next="Checkout", percent_complete=30)
    running.refresh_from_db()
    assert running.gone_quiet_at is None
    assert running.quiet_check_at == START + dt.timedelta(days=11)
    assert at(START + dt.timedelta(days=10), silence_detector) == {"gone_quiet": 0}
    assert at(START + dt.timedelta(days=11), silence_detector) == {"gone_quiet": 1}
    assert kinds().count("engagement_gone_quiet") == 2


def test_a_portal_visit_counts_as_a_sign_of_life(running):
    PortalAccess.objects.create(freelancer=running.freelancer, last_seen_at=START + dt.timedelta(days=4))
    assert at(START + dt.timedelta(days=5), silence_detector) == {"gone_quiet": 0}
    running.refresh_from_db()
    assert running.quiet_check_at == START + dt.timedelta(days=9)
    assert running.gone_quiet_at is None
    assert at(START + dt.timedelta(days=9), silence_detector) == {"gone_quiet": 1}


def test_the_threshold_is_per_engagement_and_zero_turns_it_off(running, owner):
    engagement_reminders_update(engagement=running, actor=owner, quiet_after_days=0)
    assert at(START + dt.timedelta(days=30), silence_detector) == {"gone_quiet": 0}
    engagement_reminders_update(engagement=running, actor=owner, quiet_after_days=2)
    running.refresh_from_db()
    assert running.quiet_check_at == START + dt.timedelta(days=2)
