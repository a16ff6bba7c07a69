"""Thin Celery tasks: each calls one action and carries its name."""

from celery import shared_task

from . import services


@shared_task
def invitations_expire():
    """Beat housekeeping: pending invitations past their expiry become `expired`."""
    return len(services.invitations_expire())


@shared_task
def change_marks_prune():
    """Beat housekeeping: fold the change-mark rows of database connections that have gone
    (accounts/changes.py), so a workspace's mark stays a few rows."""
    from .changes import prune_marks

    return prune_marks()
