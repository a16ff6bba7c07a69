"""Reminders end to end: a real Celery worker and beat on Redis, mail to an SMTP sink on
loopback. An overdue status update gets exactly one reminder; a notification queued while
Redis is down is delivered, once, after it comes back."""

import datetime as dt
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.utils import timezone

from conftest import free_port, service_missing
from engagements.models import Engagement
from notifications.models import Notification, NotificationStatus

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parents[2]


def _zone_where_it_is_midday():
    """An IANA zone where it is about noon right now, so decent hours never hold the email."""
    offset = (12 - timezone.now().hour + 12) % 24 - 12  # -12 … +11
    return "UTC" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


def _wait(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


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


# --- Redis goes away ---------------------------------------------------------------------------------
class RedisServer:
    """A redis-server of this test's own on a free port (never the shared one), without
    persistence: what is queued in it when it stops is lost, as in a crash."""

    def __init__(self, port, workdir):
        self.port, self.workdir, self.proc = port, workdir, None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.proc = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

        def up():
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return True
            except OSError:
                return False

        _wait(up, 20, f"redis-server on port {self.port}")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


@pytest.fixture
def own_redis(tmp_path):
    if not shutil.which("redis-server"):
        service_missing("needs redis-server on PATH to run a Redis of the test's own")
    server = RedisServer(free_port(), tmp_path)
    server.start()
    yield server
    server.stop()


def test_a_notification_queued_while_redis_is_down_is_delivered_once_when_it_returns(
        own_redis, start_celery, celery_process_env, transactional_db, smtp_sink, workspace):
    env = {"REDIS_URL": own_redis.url, "CELERY_SWEEP_SECONDS": "1", "NOTIFICATION_QUEUED_GRACE_SECONDS": "3"}
    worker = start_celery("worker", **env)
    beat = start_celery("beat", **env)
    try:
        own_redis.stop()
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

        own_redis.start()  # empty: nothing of before survived
        smtp_sink.wait_for(1, timeout=90, to="down@example.com")
        time.sleep(4)  # more sweeps, more chances to send a duplicate
        assert len(smtp_sink.received("down@example.com")) == 1
        notification.refresh_from_db()
        assert (notification.status, notification.attempts) == (NotificationStatus.SENT, 1)
    finally:
        beat.stop()
        worker.stop()
