"""Thin Celery tasks: each calls one action and carries its name."""

from celery import shared_task

from . import services


@shared_task
def invitations_expire():
    """Beat housekeeping: pending invitations past their expiry become `expired`."""
    return len(services.invitations_expire())
