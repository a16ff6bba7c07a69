"""Thin Celery tasks: each calls one sweep and carries its name."""

from celery import shared_task

from .reminders import references
from .services import imports


@shared_task
def referee_reminders():
    """Beat: expire references past their 14 days, then remind the referees who are due."""
    return references.referee_reminders()


@shared_task
def freelancer_import_run(import_id):
    """A confirmed CSV import too large for the request: check and insert its rows."""
    return imports.freelancer_import_run(import_id=import_id)
