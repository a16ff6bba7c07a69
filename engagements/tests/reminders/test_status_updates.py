"""Status-update reminders: remind the freelancer at the due moment, a day later remind again
and tell the owner; a new update restarts the ladder; each step once, at a decent hour."""

import datetime as dt
import threading
from datetime import UTC

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from engagements.models import Engagement
from engagements.reminders.status_updates import status_update_reminders
from engagements.services.ladders import engagement_reminders_update
from engagements.services.lifecycle import engagement_pause
from engagements.services.reporting import status_update_post
from engagements.tests.conftest import activate
from engagements.tests.factories import EngagementFactory
from notifications.emails import build_message
from notifications.models import Notification
from notifications.tasks import send_notification

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 1, 12, 10, 0, tzinfo=UTC)  # a Monday; Lisbon is on UTC in winter
# Activated Monday → due by the end of Thursday 15 Jan (Lisbon) + 12 h grace.
DUE = dt.datetime(2026, 1, 16, 11, 59, 59, tzinfo=UTC)
NOTHING = {"reminded": 0, "escalated": 0}


def sweep(at):
    with time_machine.travel(at, tick=False):
        return status_update_reminders()


def sent(kind=None):
    qs = Notification.objects.order_by("created_at", "pk")
    return [(n.kind, n.recipient_email, n.dedupe_key) for n in (qs.filter(kind=kind) if kind else qs)]


def post_update(engagement, at):
    with time_machine.travel(at, tick=False):
        return status_update_post(engagement_id=engagement.pk, freelancer=engagement.freelancer,
                                  done="Drafted the checkout", next="Payment step", percent_complete=40)


@pytest.fixture
def running(engagement, owner):
    with time_machine.travel(START, tick=False):
        engagement = activate(engagement, owner)
    Notification.objects.all().delete()  # the offer and acknowledgement emails
    assert engagement.next_update_due_at == DUE
    return engagement


def test_every_step_of_the_ladder_fires_at_its_time_and_once(running):
    assert sweep(DUE - dt.timedelta(seconds=1)) == NOTHING
    assert sent() == []

    assert sweep(DUE) == {"reminded": 1, "escalated": 0}
    assert sent() == [("update_reminder", "frida@example.net", f"status-overdue:{running.pk}:{DUE.isoformat()}:1")]
    assert sweep(DUE + dt.timedelta(minutes=1)) == NOTHING  # the next minute's beat: nothing new

    assert sweep(DUE + dt.timedelta(hours=23, minutes=59)) == NOTHING
    assert len(sent()) == 1

    assert sweep(DUE + dt.timedelta(hours=24)) == {"reminded": 1, "escalated": 1}
    assert sent()[1:] == [
        ("update_reminder", "frida@example.net", f"status-overdue:{running.pk}:{DUE.isoformat()}:2"),
        ("update_overdue", "owner@example.com",
         f"status-overdue:{running.pk}:{DUE.isoformat()}:owner:u{running.created_by_id}"),
    ]
    for later in (dt.timedelta(hours=25), dt.timedelta(days=10)):
        assert sweep(DUE + later) == NOTHING
    assert len(sent()) == 3
    running.refresh_from_db()
    assert (running.update_reminder_step, running.update_reminder_at) == (2, None)


def test_the_reminder_links_to_the_update_form_and_the_escalation_names_the_silence(running, settings):
    sweep(DUE)
    sweep(DUE + dt.timedelta(hours=24))
    reminder = Notification.objects.get(kind="update_reminder", dedupe_key__endswith=":1")
    assert reminder.context["url"].startswith(settings.SITE_URL)
    assert reminder.context["url"].endswith(f"/{running.pk}/updates/") or "/login" in reminder.context["url"]
    assert reminder.engagement_id == running.pk
    escalation = Notification.objects.get(kind="update_overdue")
    # No update at all since the start on Monday 12th: 5 days by Saturday noon.
    assert escalation.context["days_silent"] == 5
    assert escalation.context["url"] == f"{settings.SITE_URL}/engagements/{running.pk}/"


def test_a_new_update_resets_the_ladder(running):
    sweep(DUE)
    assert len(sent()) == 1
    post_update(running, DUE + dt.timedelta(hours=3))
    running.refresh_from_db()
    new_due = running.next_update_due_at
    assert new_due > DUE
    assert (running.update_reminder_step, running.update_reminder_at) == (0, new_due)

    # The old ladder's second step never comes: no escalation a day after the old due date.
    assert sweep(DUE + dt.timedelta(hours=24)) == NOTHING
    assert sent("update_overdue") == []
    # The new due date has its own first step.
    assert sweep(new_due) == {"reminded": 1, "escalated": 0}
    assert sent()[-1][2] == f"status-overdue:{running.pk}:{new_due.isoformat()}:1"


def test_an_update_before_the_due_date_means_no_reminder_at_all(running):
    post_update(running, DUE - dt.timedelta(hours=5))
    assert sweep(DUE + dt.timedelta(hours=25)) == NOTHING
    assert sent() == []


def test_each_step_is_configurable_per_engagement(running, owner):
    engagement_reminders_update(engagement=running, actor=owner, remind_freelancer_updates=False,
                                escalate_updates_to_owner=True, update_escalate_hours=6,
                                quiet_after_days=5)
    assert sweep(DUE) == {"reminded": 0, "escalated": 0}
    assert sweep(DUE + dt.timedelta(hours=6)) == {"reminded": 0, "escalated": 1}
    assert [k for k, _, _ in sent()] == ["update_overdue"]


def test_a_sweep_catching_up_after_downtime_sends_one_step_not_two(running):
    assert sweep(DUE + dt.timedelta(hours=30)) == {"reminded": 1, "escalated": 1}
    assert [key.rsplit(":", 1)[-1] for _, _, key in sent("update_reminder")] == ["2"]
    assert sweep(DUE + dt.timedelta(hours=31)) == NOTHING


def test_the_owner_is_told_how_often_the_freelancer_was_reminded(running):
    """Twice on the ladder; once when a sweep catching up sent only the second step (it said
    "reminded twice" after a single email)."""
    sweep(DUE)
    sweep(DUE + dt.timedelta(hours=24))
    assert "was reminded twice." in build_message(Notification.objects.get(kind="update_overdue")).body

    Notification.objects.all().delete()
    post_update(running, DUE + dt.timedelta(hours=25))
    running.refresh_from_db()
    sweep(running.next_update_due_at + dt.timedelta(hours=30))
    [escalation] = Notification.objects.filter(kind="update_overdue")
    message = build_message(escalation)
    assert "was reminded once." in message.body
    assert "was reminded once." in message.alternatives[0][0]


def test_a_paused_engagement_is_not_reminded(running, owner):
    with time_machine.travel(DUE - dt.timedelta(hours=1), tick=False):
        engagement_pause(engagement=running, actor=owner)
    Notification.objects.filter(kind="engagement_paused").delete()
    assert sweep(DUE + dt.timedelta(days=3)) == NOTHING
    assert sent() == []


def test_a_reminder_due_at_night_waits_for_the_freelancers_morning(running):
    running.freelancer.timezone = "Asia/Tokyo"
    running.freelancer.save()
    sweep(DUE)  # 11:59 UTC is 20:59 in Tokyo
    reminder = Notification.objects.get(kind="update_reminder")
    assert reminder.not_before == dt.datetime(2026, 1, 16, 23, 0, tzinfo=UTC)  # 08:00 on the 17th in Tokyo


def test_a_sweep_run_twice_inserts_one_notification_per_key(running):
    sweep(DUE)
    Engagement.objects.filter(pk=running.pk).update(update_reminder_step=0, update_reminder_at=DUE)  # as if unclaimed
    sweep(DUE)
    assert len(sent()) == 1


def _query_count_of_a_sweep(django_assert_max_num_queries, count, workspace, owner, freelancer):
    engagements = [EngagementFactory(workspace=workspace, freelancer=freelancer, created_by=owner, status="active")
                   for _ in range(count)]
    Engagement.objects.filter(pk__in=[e.pk for e in engagements]).update(
        next_update_due_at=DUE, update_reminder_at=DUE, update_reminder_step=1, activated_at=START)
    Notification.objects.all().delete()
    with CaptureQueriesContext(connection) as queries, time_machine.travel(DUE + dt.timedelta(days=1), tick=False):
        result = status_update_reminders()
    assert result == {"reminded": count, "escalated": count}
    assert Notification.objects.count() == 2 * count
    return len(queries)


def test_the_sweeps_query_count_does_not_grow_with_the_number_of_due_rows(workspace, owner, freelancer,
                                                                          django_assert_max_num_queries):
    few = _query_count_of_a_sweep(django_assert_max_num_queries, 5, workspace, owner, freelancer)
    Engagement.objects.all().delete()
    many = _query_count_of_a_sweep(django_assert_max_num_queries, 50, workspace, owner, freelancer)
    assert many == few
    with django_assert_max_num_queries(few), time_machine.travel(DUE + dt.timedelta(days=2), tick=False):
        status_update_reminders()


@pytest.mark.postgres
def test_two_sweeps_at_once_send_each_reminder_once(transactional_db, workspace, owner, freelancer):
    engagements = [EngagementFactory(workspace=workspace, freelancer=freelancer, created_by=owner, status="active")
                   for _ in range(30)]
    Engagement.objects.filter(pk__in=[e.pk for e in engagements]).update(
        next_update_due_at=DUE, update_reminder_at=DUE, update_reminder_step=0, activated_at=START)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(status_update_reminders(now=DUE + dt.timedelta(minutes=1)))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    keys = list(Notification.objects.values_list("dedupe_key", flat=True))
    assert len(keys) == len(set(keys)) == 30
    assert set(Engagement.objects.filter(pk__in=[e.pk for e in engagements]).values_list("update_reminder_step",
                                                                                         flat=True)) == {1}


def test_a_reminders_send_task_delivered_twice_sends_one_email(running, mailoutbox):
    sweep(DUE)
    reminder = Notification.objects.get(kind="update_reminder")
    with time_machine.travel(DUE + dt.timedelta(minutes=1), tick=False):
        assert send_notification.apply(args=[reminder.pk]).get() == "sent"
        assert send_notification.apply(args=[reminder.pk]).get() == "skipped"
    assert len(mailoutbox) == 1
    assert "Checkout redesign" in mailoutbox[0].subject
