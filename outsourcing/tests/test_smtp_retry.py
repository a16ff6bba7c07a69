"""A mail server that refuses for a while (451, greylisting) and then accepts: a real Celery
worker tries again after its backoff and the email is delivered exactly once."""

import time

import pytest
from django.utils import timezone

from notifications.models import Notification, NotificationStatus
from notifications.tasks import send_notification
from outsourcing.celery import app

from .brokers import wait_until

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


def test_a_server_that_refuses_twice_then_accepts_gets_the_email_exactly_once(
        own_redis, start_own_celery, transactional_db, smtp_sink, workspace):
    # A broker of the test's own, and retries a second apart (then two) instead of 30 s.
    worker = start_own_celery("worker", CELERY_BROKER_URL=own_redis.url, NOTIFICATION_RETRY_BASE_SECONDS="1")
    smtp_sink.refusals = ["451 4.7.1 Greylisted, try again later"] * 2
    notification = Notification.objects.create(
        workspace=workspace, kind="password_reset", recipient_email="greylisted@example.com",
        dedupe_key="greylisted-twice", context={"reset_url": "https://example.com/r/"}, enqueued_at=timezone.now())
    with app.connection_for_write(own_redis.url) as connection:
        send_notification.apply_async((notification.pk,), connection=connection)

    [message] = smtp_sink.wait_for(1, timeout=60, to="greylisted@example.com")
    assert smtp_sink.refused == ["greylisted@example.com"] * 2
    assert "https://example.com/r/" in message.get_body(("plain",)).get_content()
    wait_until(lambda: Notification.objects.get(pk=notification.pk).status == NotificationStatus.SENT, 10,
               "the notification to be marked sent")
    notification.refresh_from_db()
    assert notification.attempts == 3  # two refused, one delivered
    time.sleep(3)  # room for a duplicate delivery, had the retries been doubled
    assert len(smtp_sink.received("greylisted@example.com")) == 1
    assert worker.proc.poll() is None
