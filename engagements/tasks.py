"""Beat sweeps about engagements (every minute, from outsourcing/celery.py). Thin: each calls
the one sweep it is named after, which is safe to run twice or concurrently (batch claims by
conditional UPDATE, notifications under unique dedupe keys)."""

from celery import shared_task

from .reminders import acknowledgements, checkins, digest, messages, milestones, silence, status_updates
from .services import attachment, signed_copies


@shared_task
def status_update_reminders():
    return status_updates.status_update_reminders()


@shared_task
def silence_detector():
    return silence.silence_detector()


@shared_task
def checkin_nudges():
    return checkins.checkin_nudges()


@shared_task
def milestone_reminders():
    return milestones.milestone_reminders()


@shared_task
def acknowledgement_nudges():
    return acknowledgements.acknowledgement_nudges()


@shared_task
def owner_digests():
    return digest.owner_digests()


@shared_task
def missed_message_emails():
    return messages.missed_message_emails()


@shared_task
def attachments_purge_unused():
    return attachment.attachments_purge_unused()


@shared_task
def agreement_signed_copies(agreement_id):
    return signed_copies.signed_copies_make(agreement_id)


@shared_task
def signed_agreement_pdfs_sweep():
    return signed_copies.signed_copies_sweep()
