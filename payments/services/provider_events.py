"""Events from the payment provider: stored on arrival, processed once, in any order.

The webhook view verifies the signature and calls `provider_event_store`: the event is kept by
Stripe's id (unique; a duplicate delivery, or two copies arriving at once, store one row) and a
task is enqueued after commit. `provider_event_process` treats the event as a hint only: it
re-reads the object from Stripe and hands it to the service that owns it, which locks its row
and only moves forward (a checkout confirmed twice posts once; an `account.updated` older than
what we know cannot undo a newer one because it is re-read, not replayed). An event whose
processing failed (Stripe unreachable) stays unprocessed and the sweep takes it again; the
nightly backfill lists Stripe's recent events and stores any we never received.
"""

import logging
from datetime import timedelta

from celery import current_app
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..errors import PaymentError, ProviderError
from ..models import IntentKind, PayoutAccount, ProviderEvent, ProviderIntent
from ..providers import payments_provider, stripe_enabled
from .payout_accounts import payout_account_sync
from .provider_charges import charge_checkout_confirm, charge_payment_intent_event
from .provider_disputes import chargeback_record, payout_account_payout
from .provider_funding import checkout_confirm, checkout_progress

log = logging.getLogger(__name__)

PROCESS_TASK = "payments.tasks.provider_event_process"
# An event still unprocessed this long after it arrived is taken again by the sweep.
RETRY_AFTER = timedelta(minutes=1)
BACKFILL_DAYS = 3
# What happens on a connected account that the app acts on (the Connect endpoint's events).
CONNECT_TYPES = ("account.updated", "payout.paid", "payout.failed")


def _enqueue(event_id):
    try:
        current_app.tasks[PROCESS_TASK].delay(event_id)
    except Exception:  # broker down: the sweep processes it
        log.warning("Could not enqueue provider event %s; the sweep will", event_id, exc_info=True)


def provider_event_store(*, event, connect=False):
    """Keep a verified event (once) and have it processed after commit. Returns (row, created)."""
    with transaction.atomic():
        row, created = ProviderEvent.objects.get_or_create(event_id=str(event["id"]), defaults={
            "type": str(event.get("type", ""))[:100], "account": str(event.get("account") or "")[:64],
            "livemode": bool(event.get("livemode")), "payload": event,
        })
        if created:
            transaction.on_commit(lambda: _enqueue(row.event_id))
    return row, created


def _object_id(row):
    return ((row.payload.get("data") or {}).get("object") or {}).get("id", "")


def _checkout_intent(**lookup):
    return ProviderIntent.objects.filter(kind=IntentKind.CHECKOUT, **lookup).first()


def _on_checkout_session(provider, row):
    intent = _checkout_intent(provider_id=_object_id(row))
    if intent is None:
        return
    session = provider.checkout_retrieve(intent.provider_id)
    payment_intent = session.get("payment_intent")
    payment_intent = payment_intent.get("id") if isinstance(payment_intent, dict) else payment_intent
    if session.get("payment_status") in ("paid", "no_payment_required") and payment_intent:
        # A milestone's funding, or the payment of an off-session charge that failed.
        confirm = checkout_confirm if intent.milestone_id else charge_checkout_confirm
        confirm(intent_id=intent.pk, payment_intent_id=payment_intent)
    elif payment_intent:
        checkout_progress(intent_id=intent.pk, payment_intent=provider.payment_intent_retrieve(payment_intent),
                          session=session)
    else:
        checkout_progress(intent_id=intent.pk, session=session)


def _on_payment_intent(provider, row):
    payment_intent = provider.payment_intent_retrieve(_object_id(row))
    metadata = payment_intent.get("metadata") or {}
    ledger_key, workspace_id = metadata.get("ledger_key"), metadata.get("workspace")
    intent = _checkout_intent(payment_intent_id=payment_intent["id"], milestone__isnull=False) or (
        _checkout_intent(workspace_id=workspace_id, ledger_key=ledger_key, milestone__isnull=False)
        if ledger_key and (workspace_id or "").isdigit() else None)
    if intent is None:
        charge_payment_intent_event(payment_intent=payment_intent)
        return
    if payment_intent.get("status") == "succeeded":
        checkout_confirm(intent_id=intent.pk, payment_intent_id=payment_intent["id"])
    else:
        checkout_progress(intent_id=intent.pk, payment_intent=payment_intent)


def _on_account(provider, row):
    payout_account_sync(data=provider.account_retrieve(_object_id(row)))


def _on_dispute(provider, row):
    chargeback_record(dispute=provider.dispute_retrieve(_object_id(row)))


def _on_payout(provider, row):
    if row.account:  # a connected account's payout to the freelancer's bank
        payout_account_payout(account_id=row.account,
                              payout=provider.payout_retrieve(_object_id(row), account=row.account))


HANDLERS = {
    "checkout.session.completed": _on_checkout_session,
    "checkout.session.async_payment_succeeded": _on_checkout_session,
    "checkout.session.async_payment_failed": _on_checkout_session,
    "checkout.session.expired": _on_checkout_session,
    "payment_intent.succeeded": _on_payment_intent,
    "payment_intent.processing": _on_payment_intent,
    "payment_intent.payment_failed": _on_payment_intent,
    "payment_intent.canceled": _on_payment_intent,
    "account.updated": _on_account,
    "charge.dispute.created": _on_dispute,
    "charge.dispute.updated": _on_dispute,
    "charge.dispute.closed": _on_dispute,
    "payout.paid": _on_payout,
    "payout.failed": _on_payout,
}


def provider_event_process(*, event_id):
    """Act on a stored event once (an unknown type is only marked processed). True when done."""
    row = ProviderEvent.objects.filter(event_id=event_id, processed_at__isnull=True).first()
    if row is None or not stripe_enabled():
        return False
    ProviderEvent.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
    handler = HANDLERS.get(row.type)
    if handler is not None:
        try:
            handler(payments_provider(), row)
        except PaymentError as exc:
            ProviderEvent.objects.filter(pk=row.pk).update(error=exc.message[:2000])
            return False
    return ProviderEvent.objects.filter(pk=row.pk, processed_at__isnull=True).update(
        processed_at=timezone.now(), error="") == 1


def provider_events_retry(*, now=None):
    """The sweep: events left unprocessed (a failed attempt, a lost task) are processed again."""
    now = now or timezone.now()
    ids = list(ProviderEvent.objects.filter(processed_at__isnull=True, received_at__lt=now - RETRY_AFTER)
               .order_by("received_at").values_list("event_id", flat=True)[:200])
    return sum(provider_event_process(event_id=event_id) for event_id in ids)


def provider_events_backfill(*, now=None):
    """Hourly: store the events that never reached us (a missed delivery, an endpoint down), the
    platform's and each connected account's (`account.updated`, `payout.*`, read with its
    `Stripe-Account`), from an hour before the newest one we stored (at most BACKFILL_DAYS back);
    each is processed like a delivered one. Returns how many were new."""
    if not stripe_enabled():
        return 0
    provider = payments_provider()
    now = now or timezone.now()
    newest = ProviderEvent.objects.order_by("-received_at").values_list("received_at", flat=True).first()
    since = max(now - timedelta(days=BACKFILL_DAYS), (newest or now) - timedelta(hours=1))
    since = int(since.timestamp())
    new = _backfill(provider, since)
    for account_id in PayoutAccount.objects.order_by("pk").values_list("provider_account_id", flat=True):
        try:
            new += _backfill(provider, since, account=account_id, types=CONNECT_TYPES)
        except ProviderError:
            # One account Stripe will not read for us (it revoked the platform's access, or was
            # deleted) must not keep the backfill from every account after it.
            log.warning("Could not backfill the events of connected account %s", account_id, exc_info=True)
    return new


def _backfill(provider, since, *, account=None, types=None):
    new, after = 0, None
    while True:
        page = provider.events_list(created_gte=since, starting_after=after, account=account, types=types)
        for event in page.get("data", []):
            if account:
                event["account"] = account  # what the Connect endpoint's deliveries say
            new += provider_event_store(event=event)[1]
        if not page.get("has_more") or not page.get("data"):
            return new
        after = page["data"][-1]["id"]
