"""Thin Celery tasks: each takes ids, calls one action, and carries that action's name."""

import smtplib

from celery import shared_task

from . import reminders, services
from .webhooks import delivery as webhook_delivery


@shared_task(bind=True, max_retries=None)
def send_notification(self, notification_id):
    """Thin: the claim in `notification_send` makes a redelivered task harmless. Its name is
    the outbox's contract (services.SEND_TASK): messages already in the broker carry it."""
    try:
        return services.notification_send(notification_id=notification_id)
    except services.PermanentSendError:
        return "failed"
    except (smtplib.SMTPException, OSError) as exc:
        raise self.retry(exc=exc, countdown=services.notification_retry_delay(notification_id=notification_id)) from exc


@shared_task
def send_notifications(notification_ids):
    """A batch handed over in one message (services.SEND_MANY_TASK): fanned out here, in the
    worker, into one send task each, so each email keeps its own retries."""
    for pk in notification_ids:
        send_notification.delay(pk)
    return len(notification_ids)


@shared_task
def outbox_recover():
    """Beat: re-enqueue notifications stuck in `queued` or `sending`."""
    return len(services.outbox_recover())


@shared_task
def invitation_reminders():
    """Beat: one reminder for an unaccepted invitation, a notice to the inviter when it expires."""
    return reminders.invitation_reminders()


@shared_task
def webhook_deliver(delivery_id):
    """One attempt at a webhook delivery (its claim makes a redelivered task harmless). Its name
    is the webhook outbox's contract (webhooks.delivery.DELIVER_TASK)."""
    return webhook_delivery.webhook_delivery_attempt(delivery_id=delivery_id)


@shared_task
def webhook_deliver_many(delivery_ids):
    """A batch handed over in one message (webhooks.delivery.DELIVER_MANY_TASK), fanned out here."""
    for pk in delivery_ids:
        webhook_deliver.delay(pk)
    return len(delivery_ids)


@shared_task
def webhook_events_purge():
    """Beat (hourly): delete webhook events past their retention, with their delivery log."""
    return webhook_delivery.webhook_events_purge()


@shared_task
def webhook_deliveries_dispatch():
    """Beat: hand out due webhook retries and take back claims whose worker died."""
    return len(webhook_delivery.webhook_deliveries_dispatch()[1])
