"""A refund after release on Stripe (refund_released.py says the whole): first the part that
reached the freelancer's Stripe account comes back by a Transfer reversal of the milestone's
transfer (intent `{key}:reversal`), and only when it succeeded is the ledger posted; then the
owner's charge is refunded (intent `{key}:refund`, written in the posting's own transaction).

A reversal Stripe refuses (the freelancer's Stripe balance is too low: it was paid out to their
bank) marks the refund failed, posts nothing and says so. One whose answer was lost stays
started; `released_refunds_recover` (the minute sweep) replays it with the same key, so Stripe
answers the first reversal, and refunds whatever charge refund a crash left undone.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from ..errors import ProviderError
from ..models import IntentKind, IntentStatus, ProviderIntent, ReleasedRefund, ReleasedRefundStatus
from ..providers import payments_provider, stripe_enabled
from .provider_intents import intent_advance, intent_call, intent_start, provider_metadata
from .provider_moves import DONE, RECOVERY_AFTER
from .provider_sources import charge_of
from .refund_ledger import released_refund_post

RECOVERY_WINDOW = timedelta(days=90)


def released_refund_moves(refund):
    """Carry the refund on at Stripe (safe to run twice or concurrently: each step is an intent
    with its own key). Off the platform, or for a milestone not paid through Stripe, nothing."""
    charge = charge_of(refund.milestone_id) if stripe_enabled() else None
    if charge is None:
        return refund
    if refund.status == ReleasedRefundStatus.STARTED:
        _reverse(refund, charge)
    if refund.status == ReleasedRefundStatus.REFUNDED:
        _refund_charge(refund, charge)
    return refund


def _metadata(refund):
    return provider_metadata(engagement=refund.engagement, milestone=refund.milestone, ledger_key=refund.ledger_key)


def _reverse(refund, charge):
    transfer = ProviderIntent.objects.filter(milestone_id=refund.milestone_id, kind=IntentKind.TRANSFER,
                                             status=IntentStatus.SUCCEEDED).order_by("pk").first()
    intent = intent_start(workspace=refund.workspace, kind=IntentKind.REVERSAL, ledger_key=refund.ledger_key,
                          step="reversal", amount=refund.from_paid_out, currency=charge.currency,
                          engagement=refund.engagement, milestone=refund.milestone, freelancer=refund.freelancer,
                          actor=refund.created_by)
    if intent.status == IntentStatus.FAILED:
        return _failed(refund, intent.error)
    if intent.status != IntentStatus.SUCCEEDED:
        try:
            result = intent_call(intent, lambda key: payments_provider().transfer_reverse(
                transfer_id=transfer.provider_id, amount=refund.from_paid_out, metadata=_metadata(refund),
                idempotency_key=key))
        except ProviderError as exc:
            if exc.retryable:
                raise ProviderError("Stripe could not be reached; your refund is under way and will be finished "
                                    "in a few minutes. Nothing moves twice.", retryable=True) from exc
            _failed(refund, exc.message)
            raise ProviderError("Stripe could not take the money back from your Stripe account (it may already be "
                                f"paid out to your bank): {exc.message} Nothing was refunded.") from exc
        intent_advance(intent_id=intent.pk, status=IntentStatus.SUCCEEDED, provider_id=result["id"])
    with transaction.atomic():
        locked = ReleasedRefund.objects.select_for_update(of=("self",)).select_related(
            "engagement__workspace", "engagement__freelancer", "milestone", "created_by").get(pk=refund.pk)
        if locked.status == ReleasedRefundStatus.STARTED:
            released_refund_post(locked)
            _start_charge_refund(locked, charge)
    refund.refresh_from_db()


def _failed(refund, error):
    ReleasedRefund.objects.filter(pk=refund.pk, status=ReleasedRefundStatus.STARTED).update(
        status=ReleasedRefundStatus.FAILED, error=(error or "")[:2000])
    refund.refresh_from_db()
    return refund


def _start_charge_refund(refund, charge):
    return intent_start(workspace=refund.workspace, kind=IntentKind.REFUND, ledger_key=refund.ledger_key,
                        step="refund", amount=refund.amount, currency=charge.currency, engagement=refund.engagement,
                        milestone=refund.milestone, source_transaction=refund.transaction, actor=refund.created_by)


def _refund_charge(refund, charge):
    intent = _start_charge_refund(refund, charge)
    if intent.status in DONE:
        return
    try:
        result = intent_call(intent, lambda key: payments_provider().refund_create(
            payment_intent=charge.payment_intent_id, amount=refund.amount, metadata=_metadata(refund),
            idempotency_key=key))
    except ProviderError:
        return  # recorded on the intent; a retryable one is replayed by the sweep
    intent_advance(intent_id=intent.pk, status=IntentStatus.SUCCEEDED, provider_id=result["id"])


def released_refunds_recover(*, now=None):
    """The sweep: refunds after release a crash or an outage left unfinished (a reversal
    started, a charge refund not made), replayed with their own keys. Returns how many."""
    if not stripe_enabled():
        return 0
    now = now or timezone.now()
    refund_done = ProviderIntent.objects.filter(ledger_key=OuterRef("ledger_key"), workspace=OuterRef("workspace"),
                                                kind=IntentKind.REFUND, status__in=DONE)
    charged = ProviderIntent.objects.filter(milestone=OuterRef("milestone"), kind=IntentKind.CHECKOUT,
                                            status=IntentStatus.SUCCEEDED)
    due = (ReleasedRefund.objects.filter(Exists(charged), created_at__gte=now - RECOVERY_WINDOW,
                                         created_at__lt=now - RECOVERY_AFTER)
           .exclude(status=ReleasedRefundStatus.FAILED).exclude(Exists(refund_done))
           .select_related("engagement__workspace", "engagement__freelancer", "milestone", "created_by", "transaction")
           .order_by("pk")[:200])
    moved = 0
    for refund in due:
        try:
            released_refund_moves(refund)
        except ProviderError:
            continue
        moved += 1
    return moved
