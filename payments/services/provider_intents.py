"""The intent: what we ask of the payment provider, written before we ask.

Every provider call that creates something goes through three steps:

1. `intent_start`: the row for `{ledger key}:{step}` is created (or found) and committed before
   the call, so a crash after the call leaves evidence of what was asked, with its key;
2. `intent_call`: the call, carrying that key as Stripe's idempotency key (a replay within 24 h
   answers the first result instead of creating a second object; our own table is the guard
   for ever);
3. `intent_advance`: the outcome recorded by a conditional UPDATE that only moves forward
   (`INTENT_RANK`), so a late or duplicate confirmation never moves it back and of two workers
   recording the same outcome only one posts the ledger.

An intent left `started` (the provider unreachable, a worker killed) is replayed by the
recovery sweep (provider_moves.intent_recovery_sweep) with the same key.

Ledger keys are unique per workspace (an API key is `api:{user}:{key}`, and one user may hold two
workspaces), but every workspace shares the platform's Stripe account, whose idempotency keys are
global: an intent's key therefore carries its workspace (`w{id}:{ledger key}:{step}`), so the same
key in two workspaces is two moves, not one answered twice. Intents started before keys carried
the workspace keep their key (`{ledger key}:{step}`) and are still found by it, in their workspace.
"""

import hashlib

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..errors import ProviderError
from ..models import INTENT_RANK, ProviderIntent


def provider_metadata(*, engagement, milestone=None, ledger_key):
    """What every provider object we create carries, so it is traced back from Stripe's side."""
    return {"workspace": str(engagement.workspace_id), "engagement": str(engagement.pk),
            "milestone": str(milestone.pk) if milestone else "", "ledger_key": ledger_key[:500]}


def transfer_group(engagement):
    return f"engagement-{engagement.pk}"


def intent_key(ledger_key, step, *, prefix=""):
    """`{prefix}{ledger_key}:{step}` within Stripe's 255 characters (a long ledger key hashed).
    Without a prefix: the ledger key of a posting an intent derives (its fee), in its workspace."""
    key = f"{prefix}{ledger_key}:{step}"
    if len(key) <= 255:
        return key
    return f"{prefix}sha256:{hashlib.sha256(ledger_key.encode()).hexdigest()}:{step}"


def provider_key(workspace_id, ledger_key, step):
    """The intent's idempotency key at the provider: unique across the platform's workspaces."""
    return intent_key(ledger_key, step, prefix=f"w{workspace_id}:")


def find_intent(*, workspace_id, ledger_key, step):
    """The workspace's intent for `ledger_key`'s `step`, under either form of its key."""
    keys = (provider_key(workspace_id, ledger_key, step), intent_key(ledger_key, step))
    return ProviderIntent.objects.filter(workspace_id=workspace_id, idempotency_key__in=keys).first()


def intent_start(*, workspace, kind, ledger_key, step, amount, currency, engagement=None, milestone=None,
                 freelancer=None, source_transaction=None, actor=None):
    """The intent for `ledger_key`'s `step`, created now unless it exists (then returned as it is)."""
    with transaction.atomic():
        intent = find_intent(workspace_id=workspace.pk, ledger_key=ledger_key, step=step)
        if intent is None:
            intent, _ = ProviderIntent.objects.get_or_create(
                idempotency_key=provider_key(workspace.pk, ledger_key, step),
                defaults={"workspace": workspace, "kind": kind, "ledger_key": ledger_key, "amount": amount,
                          "currency": currency, "engagement": engagement, "milestone": milestone,
                          "freelancer": freelancer, "source_transaction": source_transaction,
                          "created_by": actor},
            )
    return intent


def intent_call(intent, call):
    """`call(idempotency_key)` against the provider, counted on the intent. A refusal marks the
    intent failed (with the provider's words); an unreachable provider leaves it started."""
    ProviderIntent.objects.filter(pk=intent.pk).update(attempts=F("attempts") + 1, updated_at=timezone.now())
    try:
        return call(intent.idempotency_key)
    except ProviderError as exc:
        if not exc.retryable:
            intent_advance(intent_id=intent.pk, status="failed", error=exc.message[:2000])
        raise


def intent_advance(*, intent_id, status, **fields):
    """Move the intent to `status` (recording `fields`) if that is forward; True when it moved."""
    behind = [name for name, rank in INTENT_RANK.items() if rank < INTENT_RANK[status]]
    return ProviderIntent.objects.filter(pk=intent_id, status__in=behind).update(
        status=status, updated_at=timezone.now(), **fields) == 1
