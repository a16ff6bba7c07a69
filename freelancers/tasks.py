"""Thin Celery tasks: each calls one sweep and carries its name."""

from celery import shared_task

from .reminders import references


@shared_task
def referee_reminders():
    """Beat: expire references past their 14 days, then remind the referees who are due."""
    return references.referee_reminders()
