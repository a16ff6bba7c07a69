import smtplib

from celery import shared_task

from . import services


@shared_task(bind=True, max_retries=None)
def send_notification(self, notification_id):
    """Thin: the claim in `notification_send` makes a redelivered task harmless."""
    try:
        return services.notification_send(notification_id=notification_id)
    except services.PermanentSendError:
        return "failed"
    except (smtplib.SMTPException, OSError) as exc:
        from .models import Notification

        attempts = Notification.objects.filter(pk=notification_id).values_list("attempts", flat=True).first() or 1
        raise self.retry(exc=exc, countdown=services.retry_delay(attempts)) from exc


@shared_task
def recover_outbox():
    """Beat: re-enqueue notifications stuck in `queued` or `sending`."""
    return len(services.outbox_recover())


@shared_task
def remind_invitations():
    """Beat: one reminder for an unaccepted invitation, a notice to the inviter when it expires."""
    from .invitations import invitation_reminders

    return invitation_reminders()
