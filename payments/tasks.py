"""Beat sweeps about money (every minute, from outsourcing/celery.py) and the payment
provider's tasks. Thin: each calls one service, which is safe to run twice or concurrently."""

from celery import shared_task

from .reminders import auto_release, pay_models, review_warnings
from .services import provider_charges, provider_events, provider_moves, provider_reversals, reconciliation


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


@shared_task
def provider_event_process(event_id):
    """Act on one stored webhook event of the payment provider."""
    return provider_events.provider_event_process(event_id=event_id)


@shared_task
def provider_moves_apply(transaction_ids):
    """Make at the payment provider the moves of ledger transactions just committed."""
    return provider_moves.provider_moves_apply(transaction_ids=transaction_ids)


@shared_task
def intent_recovery_sweep():
    """Replay provider calls a crash left started (charges, transfers, refunds), transfers
    waiting for ready payouts, and refunds after release left unfinished."""
    return (provider_charges.charges_recovery_sweep() + provider_moves.intent_recovery_sweep()
            + provider_reversals.released_refunds_recover())


@shared_task
def provider_events_retry():
    """Process provider events left unprocessed (Stripe unreachable, a lost task)."""
    return provider_events.provider_events_retry()


@shared_task
def provider_events_backfill():
    """Hourly: store and process the provider's events that never reached the webhook."""
    return provider_events.provider_events_backfill()


@shared_task
def reconciliation_run():
    """Once a day (asked hourly): match Stripe's balance transactions to the provider intents."""
    return len(reconciliation.reconciliation_run())
