"""The home page's footer tells the owner whether email is going out: whether a worker checked
in lately (its heartbeat) and how many of the workspace's emails are stuck in the outbox."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from notifications.models import Notification, NotificationStatus
from outsourcing.heartbeat import heartbeat_record
from outsourcing.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_heartbeat_of_other_tests(db):
    # A worker a real-process test started may have committed its heartbeat row.
    WorkerHeartbeat.objects.all().delete()


def _footer(client):
    body = client.get("/").content.decode()
    [footer] = re.findall(r'<footer[^>]*data-testid="delivery-status".*?</footer>', body, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", footer).split())


def _email(workspace, minutes_ago, **fields):
    return Notification.objects.create(
        workspace=workspace, kind="password_reset", recipient_email="someone@example.com",
        dedupe_key=f"stuck-{Notification.objects.count()}", context={"reset_url": "https://example.com/r/"},
        created_at=timezone.now() - dt.timedelta(minutes=minutes_ago), **fields)


def test_it_says_email_is_going_out_while_a_worker_checks_in(owner_client):
    heartbeat_record(hostname="celery@worker-1", now=timezone.now() - dt.timedelta(seconds=20))

    footer = _footer(owner_client)

    assert footer.startswith("Email delivery is working: a worker checked in")
    assert "stuck" not in footer


def test_it_says_delivery_stopped_when_no_worker_checked_in_lately(owner_client, settings):
    settings.WORKER_HEARTBEAT_STALE_SECONDS = 300
    heartbeat_record(hostname="celery@worker-1", now=timezone.now() - dt.timedelta(minutes=12))

    footer = _footer(owner_client)

    assert "Email delivery has stopped: no worker has checked in for 12 minutes." in footer
    assert "Emails wait in the outbox and go out once a worker runs again." in footer


def test_it_says_delivery_has_not_started_when_no_worker_ever_checked_in(owner_client):
    assert "Email delivery has not started: no worker has checked in yet." in _footer(owner_client)


def test_it_counts_the_workspaces_emails_waiting_longer_than_the_grace_period(owner_client, workspace, outsider,
                                                                               settings):
    settings.NOTIFICATION_QUEUED_GRACE_SECONDS = 120
    heartbeat_record(hostname="celery@worker-1")
    oldest = _email(workspace, 30)
    _email(workspace, 10, status=NotificationStatus.SENDING, claimed_at=timezone.now())
    _email(workspace, 1)  # within the grace period: on its way
    _email(workspace, 30, status=NotificationStatus.SENT)
    _email(workspace, 60 * 10, not_before=timezone.now() + dt.timedelta(hours=2))  # held for decent hours
    _email(workspace, 60 * 10, not_before=timezone.now() - dt.timedelta(minutes=1))  # just released
    _email(outsider.memberships.get().workspace, 30)  # not ours

    response = owner_client.get("/")
    footer = _footer(owner_client)

    assert response.context["delivery"]["oldest_stuck"] == oldest
    assert "2 emails of this workspace are stuck in the outbox" in footer
    assert "See the queued emails" in footer


def test_one_stuck_email_is_said_in_the_singular(owner_client, workspace):
    heartbeat_record(hostname="celery@worker-1")
    _email(workspace, 30)

    assert "1 email of this workspace is stuck in the outbox" in _footer(owner_client)
