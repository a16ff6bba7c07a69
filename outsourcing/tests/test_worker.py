"""A real Celery worker against Redis sends what the web pages queue."""

import time
from urllib.parse import urlparse

import pytest

from notifications.models import Notification, NotificationStatus

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


def _wait_for_status(notification, status, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        notification.refresh_from_db()
        if notification.status == status:
            return notification
        time.sleep(0.1)
    pytest.fail(f"notification still {notification.status}, expected {status}")


def test_an_invitation_sent_from_the_team_page_arrives_once_at_the_smtp_server(
    celery_worker_process, smtp_sink, owner_client, client
):
    response = owner_client.post("/team/", {"email": "New.Hire@Example.com"})
    assert response.status_code == 302

    [message] = smtp_sink.wait_for(1, to="new.hire@example.com")
    assert "Acme Studio" in message["Subject"]
    body = message.get_body(("plain",)).get_content()
    link = next(line.strip() for line in body.splitlines() if "/invite/" in line)

    notification = _wait_for_status(Notification.objects.get(kind="teammate_invitation"), "sent")
    assert notification.attempts == 1
    # The worker had time to send a duplicate, had there been one.
    time.sleep(1.0)
    assert len(smtp_sink.received("new.hire@example.com")) == 1

    # The emailed link is live: it leads to the acceptance page.
    client.logout()
    page = client.get(urlparse(link).path, follow=True)
    assert page.status_code == 200
    assert "Join Acme Studio" in page.content.decode()
    assert notification.status == NotificationStatus.SENT


def test_beat_recovers_an_email_whose_enqueue_was_lost(celery_beat_process, smtp_sink, workspace):
    import datetime as dt

    from django.utils import timezone

    from notifications.services import QUEUED_GRACE

    # As if Redis had been down when the row committed: queued, never enqueued.
    lost = Notification.objects.create(
        workspace=workspace, kind="password_reset", recipient_email="lost@example.com",
        dedupe_key="lost-enqueue", context={"reset_url": "https://example.com/r/"},
        created_at=timezone.now() - QUEUED_GRACE - dt.timedelta(seconds=5),
    )

    smtp_sink.wait_for(1, to="lost@example.com")
    _wait_for_status(lost, "sent")
    assert "recover-outbox" in celery_beat_process.log()


def _sessions_opened():
    """PostgreSQL's count of sessions ever opened on the test database (a closed session has
    reported itself; an open one may still be on its way)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def test_the_worker_keeps_its_database_connection_from_one_task_to_the_next(celery_worker_process, smtp_sink):
    from notifications.services import notify

    opened = _sessions_opened()
    for n in range(8):
        notify(kind="password_reset", recipient_email=f"kept-{n}@example.com", dedupe_key=f"kept-connection:{n}",
               context={"reset_url": "https://example.com/r/"})
    for n in range(8):
        _wait_for_status(Notification.objects.get(dedupe_key=f"kept-connection:{n}"), "sent")
    time.sleep(0.5)  # a session closed after the last task has reported itself by now

    # One connection per pool process at most (2), not a session per email sent: Celery's Django
    # fix-up closes every connection around each task unless told otherwise (outsourcing/celery.py).
    assert _sessions_opened() - opened <= 2
