"""Beat sweeps about engagements (every minute, from outsourcing/celery.py). Thin: each calls
one sweep, which is safe to run twice or concurrently (batch claims by conditional UPDATE,
notifications under unique dedupe keys)."""

from celery import shared_task


@shared_task
def status_update_reminders():
    from .reminders import status_update_reminders as sweep

    return sweep()


@shared_task
def silence_detector():
    from .reminders import silence_detector as sweep

    return sweep()


@shared_task
def checkin_nudges():
    from .reminders import checkin_nudges as sweep

    return sweep()


@shared_task
def milestone_reminders():
    from .reminders_work import milestone_reminders as sweep

    return sweep()


@shared_task
def acknowledgement_nudges():
    from .reminders_work import acknowledgement_nudges as sweep

    return sweep()


@shared_task
def owner_digests():
    from .digest import owner_digests as sweep

    return sweep()
