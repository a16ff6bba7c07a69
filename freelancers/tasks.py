from celery import shared_task

from . import references


@shared_task
def remind_referees():
    """Beat, every minute: expire references past their 14 days, then send due reminders.
    Safe to run twice or concurrently (conditional-UPDATE claims + outbox dedupe keys)."""
    expired = references.references_expire()
    reminded = references.references_remind()
    return {"expired": len(expired), "reminded": len(reminded)}
