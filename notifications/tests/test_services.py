"""The notification outbox: insert once, send once, retry transient failures, recover."""

import datetime as dt
import threading

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from notifications import services
from notifications.models import Notification, NotificationStatus
from notifications.services import PermanentSendError, notification_send, notify, outbox_recover
from notifications.tasks import send_notification

pytestmark = pytest.mark.django_db


def _smtp(port, host="127.0.0.1"):
    return {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                        "OPTIONS": {"host": host, "port": port, "timeout": 5}}}


def test_a_notification_is_rendered_from_its_three_templates_and_sent(make_notification, mailoutbox):
    notification = make_notification()

    assert notification_send(notification_id=notification.pk) == "sent"

    [message] = mailoutbox
    assert message.to == ["someone@example.com"]
    assert message.subject == "Reset your password"
    assert "https://example.com/reset/secret-token/" in message.body
    html = message.alternatives[0].content
    assert "<html" in html and 'href="https://example.com/reset/secret-token/"' in html
    assert message.extra_headers["X-Outsourcing-Notification"] == "test:1"
    notification.refresh_from_db()
    assert (notification.status, notification.attempts, notification.subject) == (
        NotificationStatus.SENT, 1, "Reset your password")
    assert notification.sent_at is not None


def test_the_one_time_link_is_removed_from_the_context_after_sending(make_notification):
    notification = make_notification(context={"reset_url": "https://x/secret/", "keep": "me",
                                              "_secret": ["reset_url"]})
    notification_send(notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.context == {"reset_url": "[removed after sending]", "keep": "me"}


def test_a_duplicate_notify_sends_once(db, celery_eager, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first, created = notify(kind="password_reset", recipient_email="a@example.com",
                                dedupe_key="reminder:42:2026-03-02", context={"reset_url": "https://x/1/"})
        again, created_again = notify(kind="password_reset", recipient_email="a@example.com",
                                      dedupe_key="reminder:42:2026-03-02", context={"reset_url": "https://x/2/"})

    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Notification.objects.count() == 1
    assert len(mailoutbox) == 1
    assert "https://x/1/" in mailoutbox[0].body

    # A later duplicate (a sweep running twice) is ignored as well.
    with django_capture_on_commit_callbacks(execute=True):
        notify(kind="password_reset", recipient_email="a@example.com", dedupe_key="reminder:42:2026-03-02")
    assert len(mailoutbox) == 1


def test_a_redelivered_send_task_sends_once(make_notification, mailoutbox):
    notification = make_notification()

    assert send_notification.apply(args=[notification.pk]).get() == "sent"
    assert send_notification.apply(args=[notification.pk]).get() == "skipped"
    assert len(mailoutbox) == 1


@pytest.mark.postgres
def test_two_send_tasks_racing_on_one_notification_send_once(transactional_db):
    # Inserted directly, not through notify(): its on-commit enqueue could reach a real worker
    # left running by another test and win the race before it starts.
    notification = Notification.objects.create(
        kind="password_reset", recipient_email="someone@example.com", dedupe_key="race",
        context={"reset_url": "https://example.com/r/"})
    barrier = threading.Barrier(2)
    results = []

    def send():
        try:
            barrier.wait(timeout=10)
            results.append(notification_send(notification_id=notification.pk))
        finally:
            connection.close()  # each thread had a connection of its own

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results) == ["sent", "skipped"]
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (NotificationStatus.SENT, 1)


def test_a_notify_inside_a_rolled_back_transaction_sends_nothing(transactional_db, celery_eager, mailoutbox):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(kind="password_reset", recipient_email="a@example.com", dedupe_key="rolled-back",
               context={"reset_url": "https://x/"})
        raise RuntimeError("the action failed")

    assert not Notification.objects.exists()
    assert mailoutbox == []

    # The same call, committed, does send (on_commit is real in this test).
    with transaction.atomic():
        notify(kind="password_reset", recipient_email="a@example.com", dedupe_key="committed",
               context={"reset_url": "https://x/"})
    assert len(mailoutbox) == 1
    assert Notification.objects.get().status == NotificationStatus.SENT


def test_an_unreachable_mail_server_leads_to_retries_with_backoff_then_failed(
    make_notification, settings, closed_port
):
    settings.MAILERS = _smtp(closed_port)
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 30
    notification = make_notification()
    start = timezone.now()

    with time_machine.travel(start, tick=False) as clock:
        for attempt, delay in [(1, 30), (2, 60)]:
            with pytest.raises(OSError):
                notification_send(notification_id=notification.pk)
            notification.refresh_from_db()
            assert notification.status == NotificationStatus.QUEUED
            assert notification.attempts == attempt
            assert "ConnectionRefusedError" in notification.last_error
            assert notification.not_before == timezone.now() + dt.timedelta(seconds=delay)
            # Held back until the backoff has passed.
            assert notification_send(notification_id=notification.pk) == "skipped"
            clock.shift(dt.timedelta(seconds=delay))

        with pytest.raises(PermanentSendError):
            notification_send(notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.FAILED
    assert notification.attempts == 3
    assert "ConnectionRefusedError" in notification.last_error
    assert notification.failed_at is not None
    assert notification.context["reset_url"] == "[removed after sending]"
    assert notification_send(notification_id=notification.pk) == "skipped"


def test_the_send_task_retries_a_transient_error_and_the_retry_waits_for_the_backoff(
    make_notification, settings, closed_port
):
    settings.MAILERS = _smtp(closed_port)
    notification = make_notification()

    # Run in-process, Celery applies the retry at once instead of after its countdown; the
    # retry then finds the row held by its backoff and leaves it for later.
    result = send_notification.apply(args=[notification.pk])

    assert result.get() == "skipped"
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.QUEUED
    assert notification.not_before > timezone.now()


def test_a_451_from_the_server_is_retried(make_notification, settings, smtp_sink):
    smtp_sink.rcpt_reply = "451 4.7.1 Greylisted, try again later"
    settings.MAILERS = smtp_sink.mailer()
    notification = make_notification()

    with pytest.raises(Exception):
        notification_send(notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.QUEUED
    assert "451" in notification.last_error
    assert notification.not_before > timezone.now()

    # The server accepts it later: sent, through a real SMTP conversation.
    smtp_sink.rcpt_reply = None
    with time_machine.travel(notification.not_before + dt.timedelta(seconds=1)):
        assert notification_send(notification_id=notification.pk) == "sent"
    [message] = smtp_sink.received("someone@example.com")
    assert "https://example.com/reset/secret-token/" in message.get_body(("plain",)).get_content()


def test_a_550_refusal_fails_at_once(make_notification, settings, smtp_sink):
    smtp_sink.rcpt_reply = "550 5.1.1 No such user here"
    settings.MAILERS = smtp_sink.mailer()
    notification = make_notification()

    assert send_notification.apply(args=[notification.pk]).get() == "failed"

    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (NotificationStatus.FAILED, 1)
    assert "550" in notification.last_error and "No such user" in notification.last_error
    assert smtp_sink.received("someone@example.com") == []


def test_a_template_error_fails_at_once(make_notification, mailoutbox):
    notification = make_notification(kind="no_such_kind")

    with pytest.raises(PermanentSendError):
        notification_send(notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.FAILED
    assert "TemplateDoesNotExist" in notification.last_error
    assert mailoutbox == []


def test_a_notification_held_by_not_before_is_not_sent_early(db, celery_eager, mailoutbox,
                                                             django_capture_on_commit_callbacks):
    later = timezone.now() + dt.timedelta(hours=8)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification, _ = notify(kind="password_reset", recipient_email="a@example.com",
                                 dedupe_key="quiet-hours", context={"reset_url": "https://x/"},
                                 not_before=later)
    assert callbacks == []  # not enqueued now: the recovery sweep hands it out when due
    assert notification_send(notification_id=notification.pk) == "skipped"
    assert mailoutbox == []

    with time_machine.travel(later + dt.timedelta(seconds=1)):
        assert outbox_recover() == [notification.pk]
    assert len(mailoutbox) == 1


def test_the_recovery_sweep_hands_out_lost_rows_and_leaves_held_ones(
    make_notification, celery_eager, mailoutbox
):
    now = timezone.now()
    never_enqueued = make_notification(key="never-enqueued")
    fresh = make_notification(key="fresh")
    worker_died = make_notification(key="worker-died")
    held = make_notification(key="held")
    sending_recently = make_notification(key="sending-recently")
    Notification.objects.filter(pk=never_enqueued.pk).update(
        created_at=now - services.QUEUED_GRACE - dt.timedelta(seconds=1))
    Notification.objects.filter(pk=worker_died.pk).update(
        status=NotificationStatus.SENDING, attempts=1, created_at=now - dt.timedelta(hours=1),
        claimed_at=now - services.SENDING_TIMEOUT - dt.timedelta(seconds=1))
    Notification.objects.filter(pk=held.pk).update(
        created_at=now - dt.timedelta(hours=1), not_before=now + dt.timedelta(minutes=5))
    Notification.objects.filter(pk=sending_recently.pk).update(
        status=NotificationStatus.SENDING, attempts=1, claimed_at=now - dt.timedelta(minutes=1))

    handed_out = outbox_recover(now=now)

    assert sorted(handed_out) == sorted([never_enqueued.pk, worker_died.pk])
    assert sorted(m.extra_headers["X-Outsourcing-Notification"] for m in mailoutbox) == [
        "never-enqueued", "worker-died"]
    statuses = dict(Notification.objects.values_list("dedupe_key", "status"))
    assert statuses == {"never-enqueued": "sent", "worker-died": "sent", "fresh": "queued",
                        "held": "queued", "sending-recently": "sending"}
    assert fresh.pk not in handed_out


def test_the_recovery_sweep_gives_up_on_a_row_whose_worker_died_every_time(make_notification, settings):
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    notification = make_notification()
    now = timezone.now()
    Notification.objects.filter(pk=notification.pk).update(
        status=NotificationStatus.SENDING, attempts=3, claimed_at=now - dt.timedelta(hours=1))

    assert outbox_recover(now=now) == []

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.FAILED
    assert "worker stopped" in notification.last_error


def test_the_backoff_grows_and_is_capped(settings):
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 30
    assert [services.retry_delay(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert services.retry_delay(20) == 15 * 60
