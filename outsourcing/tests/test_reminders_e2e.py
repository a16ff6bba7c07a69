"""Reminders end to end: a real Celery worker and beat on Redis (or RabbitMQ, in CI's second
pass), mail to an SMTP sink on loopback. An overdue status update gets exactly one reminder; a
notification queued while the broker is down is delivered, once, after it comes back."""

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.utils import timezone

from engagements.models import Engagement
from notifications.models import Notification, NotificationStatus

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parents[2]


def _zone_where_it_is_midday():
    """An IANA zone where it is about noon right now, so decent hours never hold the email."""
    offset = (12 - timezone.now().hour + 12) % 24 - 12  # -12 … +11
    return "UTC" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


def test_an_overdue_update_gets_exactly_one_reminder_within_two_minutes(celery_beat_process, smtp_sink,
                                                                        workspace, owner):
    from engagements.tests.factories import ApprovedFreelancerFactory, EngagementFactory

    freelancer = ApprovedFreelancerFactory(workspace=workspace, name="Ana Lima", email="ana.e2e@example.net",
                                           timezone=_zone_where_it_is_midday())
    engagement = EngagementFactory(workspace=workspace, freelancer=freelancer, created_by=owner,
                                   title="Logo redesign", status="active")
    now = timezone.now()
    Engagement.objects.filter(pk=engagement.pk).update(
        activated_at=now - dt.timedelta(days=4), next_update_due_at=now - dt.timedelta(minutes=1),
        update_reminder_at=now - dt.timedelta(minutes=1), update_reminder_step=0)
    started = time.monotonic()

    [message] = smtp_sink.wait_for(1, timeout=120, to="ana.e2e@example.net")
    assert time.monotonic() - started < 120
    assert "Logo redesign" in message["Subject"] and workspace.name in message["Subject"]
    assert message["List-Unsubscribe"] and message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = message.get_body(("plain",)).get_content()
    assert f"/portal/engagements/{engagement.pk}/updates/" in body

    # Beat keeps sweeping every second: still exactly one.
    time.sleep(4)
    assert len(smtp_sink.received("ana.e2e@example.net")) == 1
    reminder = Notification.objects.get(kind="update_reminder", engagement_id=engagement.pk)
    assert (reminder.status, reminder.attempts) == (NotificationStatus.SENT, 1)
    assert "status-update-reminders" in celery_beat_process.log()


# --- The broker goes away ---------------------------------------------------------------------------
def test_a_notification_queued_while_redis_is_down_is_delivered_once_when_it_returns(
        own_broker, start_celery, celery_process_env, transactional_db, smtp_sink, workspace):
    # The broker of the test's own (Redis, or RabbitMQ in CI's second pass); the cache stays on REDIS_URL.
    env = {"CELERY_BROKER_URL": own_broker.url, "CELERY_SWEEP_SECONDS": "1",
           "NOTIFICATION_QUEUED_GRACE_SECONDS": "3"}
    worker = start_celery("worker", **env)
    beat = start_celery("beat", **env)
    try:
        own_broker.stop()
        # A web process commits a notification while its broker is down: notify() inserts the
        # row and its on-commit enqueue fails (logged); the row stays queued.
        base_env, _ = celery_process_env
        code = (
            "from django.db import transaction\n"
            "from notifications.services import notify\n"
            "with transaction.atomic():\n"
            "    notify(kind='password_reset', recipient_email='down@example.com', dedupe_key='redis-down',\n"
            "           context={'reset_url': 'https://example.com/r/'})\n"
        )
        result = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, timeout=120,
                                env={**base_env, **env}, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert "Could not enqueue notification" in result.stderr
        notification = Notification.objects.get(dedupe_key="redis-down")
        assert notification.status == NotificationStatus.QUEUED
        time.sleep(2)
        assert smtp_sink.received("down@example.com") == []

        own_broker.start()  # a Redis comes back empty: nothing of before survived
        smtp_sink.wait_for(1, timeout=90, to="down@example.com")
        time.sleep(4)  # more sweeps, more chances to send a duplicate
        assert len(smtp_sink.received("down@example.com")) == 1
        notification.refresh_from_db()
        assert (notification.status, notification.attempts) == (NotificationStatus.SENT, 1)
    finally:
        beat.stop()
        worker.stop()
