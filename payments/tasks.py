from celery import shared_task

from .services import payments_sweep


@shared_task
def auto_release_sweep():
    """Beat, every minute: release milestones and approve timesheets past their review window."""
    return payments_sweep()
