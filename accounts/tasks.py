from celery import shared_task

from . import services


@shared_task
def expire_invitations():
    """Beat housekeeping: pending invitations past their expiry become `expired`."""
    return len(services.invitations_expire())
