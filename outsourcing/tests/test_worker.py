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
