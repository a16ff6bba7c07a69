"""Beat sweeps about money (every minute, from outsourcing/celery.py). Thin: each calls one
sweep, which is safe to run twice or concurrently."""

from celery import shared_task

from .reminders import auto_release, pay_models, review_warnings


@shared_task
def auto_release_sweep():
    """Release milestones and approve timesheets past their review window."""
    return auto_release.auto_release_sweep()


@shared_task
def review_window_warnings():
    """Warn owners 3 days and 1 day before an automatic release."""
    return review_warnings.review_window_warnings()


@shared_task
def pay_models_sweep():
    """Fund and release retainer periods, flag hours over, release undisputed commission reports."""
    return pay_models.pay_models_sweep()
