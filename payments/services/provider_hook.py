"""The ledger's one call towards the payment provider: after a transaction that moves held funds
(a release, a refund, a resolution) commits, its moves are made at the provider by a task
(`payments.tasks.provider_moves_apply`). Enqueued by name from the registry, like the email
outbox does, so the ledger's primitives do not import the layer above them; a broker that is
down loses nothing (the recovery sweep finds the transaction without its moves)."""

import logging

from celery import current_app
from django.db import transaction

from ..models import TransactionKind
from ..providers import stripe_enabled

log = logging.getLogger(__name__)

MOVES_TASK = "payments.tasks.provider_moves_apply"
# A bonus, an approved week and a commission are owed at once: charged off session, then transferred.
MOVING_KINDS = (TransactionKind.RELEASE, TransactionKind.REFUND, TransactionKind.RESOLVE, TransactionKind.BONUS,
                TransactionKind.TIMESHEET, TransactionKind.COMMISSION)


def _enqueue(ids):
    try:
        current_app.tasks[MOVES_TASK].delay(ids)
    except Exception:  # broker down: intent_recovery_sweep finds these transactions
        log.warning("Could not enqueue the provider moves of %s; the recovery sweep will", ids, exc_info=True)


def provider_moves_after_commit(transaction_ids, kinds):
    """Called by every posting (`post`, `post_many`) with what it wrote."""
    if not stripe_enabled():
        return
    ids = [pk for pk, kind in zip(transaction_ids, kinds, strict=True) if kind in MOVING_KINDS]
    if ids:
        transaction.on_commit(lambda: _enqueue(ids))
