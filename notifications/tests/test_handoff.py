"""Handing emails to the broker: a sweep's batch goes over in one message (fanned out by the
worker), and the recovery sweep drains every lost row in one run, not one batch of them."""

import datetime as dt

import pytest
from django.utils import timezone

from notifications import services
from notifications.models import Notification
from notifications.services import notify_many, outbox_recover
from outsourcing.celery import app

pytestmark = pytest.mark.django_db


def _lost(make_notification, count):
    rows = [make_notification(key=f"lost-{i}") for i in range(count)]
    Notification.objects.filter(pk__in=[n.pk for n in rows]).update(
        created_at=timezone.now() - services.QUEUED_GRACE - dt.timedelta(minutes=1))
    return rows


def test_the_recovery_sweep_hands_out_every_lost_email_in_one_run(make_notification, celery_eager, mailoutbox):
    lost = _lost(make_notification, 5)

    handed = outbox_recover(batch=2)

    assert sorted(handed) == sorted(n.pk for n in lost)
    assert len(mailoutbox) == 5
    assert outbox_recover(batch=2) == []  # sent: nothing left


def _drain_broker():
    """Every message waiting in the default queue, as (task name, args), consumed."""
    found = []
    with app.connection_for_read() as conn:
        channel = conn.default_channel
        while (message := channel.basic_get(app.conf.task_default_queue, no_ack=True)) is not None:
            found.append((message.headers["task"], message.decode()[0]))
    return found


@pytest.mark.redis
def test_a_batch_of_emails_goes_to_the_broker_as_one_message(django_capture_on_commit_callbacks):
    _drain_broker()
    items = [{"kind": "password_reset", "recipient_email": f"p{i}@example.com", "dedupe_key": f"batch-{i}",
              "context": {"reset_url": "https://example.com/r/"}} for i in range(3)]

    with django_capture_on_commit_callbacks(execute=True):
        notify_many(items)

    ids = sorted(Notification.objects.filter(dedupe_key__startswith="batch-").values_list("pk", flat=True))
    [(task, args)] = _drain_broker()
    assert task == services.SEND_MANY_TASK
    assert sorted(args[0]) == ids


def test_the_worker_fans_a_batch_out_into_one_send_each(make_notification, celery_eager, mailoutbox):
    rows = [make_notification(key=f"fan-{i}") for i in range(3)]
    mailoutbox.clear()

    assert app.tasks[services.SEND_MANY_TASK].delay([n.pk for n in rows]).get() == 3

    assert sorted(m.extra_headers["X-Outsourcing-Notification"] for m in mailoutbox) == ["fan-0", "fan-1", "fan-2"]
