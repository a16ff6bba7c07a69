from celery import shared_task

from .services import payments_sweep


@shared_task
def auto_release_sweep():
    """Beat, every minute: release milestones and approve timesheets past their review window."""
    return payments_sweep()


@shared_task
def review_warnings_sweep():
    """Beat, every minute: warn owners 3 days and 1 day before an automatic release."""
    from .reminders import review_window_warnings

    return review_window_warnings()
