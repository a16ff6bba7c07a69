"""Charging the owner off session: bonuses, approved hours, retainer periods and commissions
through Stripe, the ledger posting only once the charge succeeded.

With Stripe on, the action (`bonus_pay`, a week's approval, a retainer period's start, a
commission's release) claims its state change as on the off-platform rail but, instead of posting,
writes a `ProviderCharge` under its own idempotency key (`charge_open`, in the action's
transaction; a retry of the action finds it: ledger.run_idempotent). After commit the charge is
made (`charge_run`) on the rail every provider call follows (provider_intents.py): the intent
`{ledger key}:charge` written first, then an off-session PaymentIntent on the method the
workspace's last Checkout saved (provider_customers.py), its answer recorded by `charge_settle`:

- succeeded: under the charge's row lock, once, the ledger posts what the off-platform rail posts
  at once (owner funding → payable, or → escrow for a retainer period) by the action's own poster
  (`CHARGE_POSTERS`), under the action's key; a payable amount is then transferred to the
  freelancer from that charge (provider_moves.py, `{ledger key}:transfer`);
- processing (a bank debit): shown as pending until `payment_intent.succeeded` (provider_events);
- declined, or the bank wants the owner to authenticate: `failed` with Stripe's words, nothing
  posted, the owners emailed and a needs-attention row with a link to pay it through Checkout
  (`charge_checkout_start`), which also saves the method used for the next charges.

A crash between the call and the record leaves the intent started: `charges_recovery_sweep`
replays the same key, and Stripe answers the PaymentIntent it made.
"""

from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from notifications.links import absolute

from .. import provider_emails, timeline
from ..errors import ProviderError, ProviderNotEnabled, StateConflict
from ..models import ChargeStatus, IntentKind, IntentStatus, PaymentCustomer, ProviderCharge, ProviderIntent
from ..providers import payments_provider, stripe_enabled
from ..roles import require_owner
from .provider_customers import saved_method_record, workspace_customer
from .provider_funding import _fee_of, checkout_progress
from .provider_intents import intent_advance, intent_call, intent_start, provider_metadata, transfer_group

# purpose → poster(charge) → the ledger transaction, posted in the caller's transaction with the
# action's key; registered by the service that owns the action (payouts, timesheets, ...).
CHARGE_POSTERS = {}
RECOVERY_AFTER = timedelta(minutes=2)
NO_METHOD = ("No payment method is saved for charges made without you. Pay this amount through Checkout; the "
             "method you use is saved for the next ones.")


def charge_poster(purpose):
    def register(poster):
        CHARGE_POSTERS[purpose] = poster
        return poster
    return register


def charge_open(*, engagement, purpose, amount, key, fp, memo, actor=None, automatic=False, note="", **subject):
    """The charge an action asks for, written in the action's transaction (made after commit)."""
    charge = ProviderCharge.objects.create(
        workspace=engagement.workspace, engagement=engagement, purpose=purpose, ledger_key=key,
        request_fingerprint=fp, amount=amount, currency=engagement.currency, memo=memo, note=note[:5000],
        automatic=automatic, created_by=actor, **subject)
    timeline.record(engagement=engagement, kind="payment_pending", actor=actor,
                    summary=f"{charge.get_purpose_display()} of {timeline.money(amount, engagement)}: the owner's "
                            "saved payment method is being charged; it is owed once the payment is confirmed.")
    transaction.on_commit(lambda: charge_run(charge_id=charge.pk))
    return charge


def charge_run(*, charge_id):
    """Make the off-session charge (again, with the same key, when a crash left it started)."""
    charge = ProviderCharge.objects.select_related("workspace", "engagement", "created_by").get(pk=charge_id)
    if charge.status != ChargeStatus.PENDING or not stripe_enabled():
        return charge
    customer = PaymentCustomer.objects.filter(workspace_id=charge.workspace_id).first()
    if customer is None or not customer.payment_method_id:
        return charge_fail(charge_id=charge.pk, error=NO_METHOD)
    eng = charge.engagement
    intent = intent_start(workspace=charge.workspace, kind=IntentKind.CHARGE, ledger_key=charge.ledger_key,
                          step="charge", amount=charge.amount, currency=charge.currency, engagement=eng,
                          actor=charge.created_by)
    if intent.status == IntentStatus.FAILED:
        return charge_fail(charge_id=charge.pk, error=intent.error)
    if intent.status != IntentStatus.STARTED:
        return charge  # processing or done: Stripe's events carry it on
    metadata = provider_metadata(engagement=eng, ledger_key=charge.ledger_key)
    try:
        payment_intent = intent_call(intent, lambda key: payments_provider().payment_intent_create(
            amount=charge.amount, currency=charge.currency, customer=customer.provider_customer_id,
            payment_method=customer.payment_method_id, description=charge.memo or charge.get_purpose_display(),
            metadata=metadata, transfer_group=transfer_group(eng), idempotency_key=key))
    except ProviderError as exc:
        if exc.retryable:
            return charge  # left started: the recovery sweep replays the key
        return charge_fail(charge_id=charge.pk, error=exc.message)
    return charge_settle(intent_id=intent.pk, payment_intent=payment_intent)


def _charge_for(intent):
    return ProviderCharge.objects.get(workspace_id=intent.workspace_id, ledger_key=intent.ledger_key)


def charge_settle(*, intent_id, payment_intent):
    """Record what Stripe says of a charge's PaymentIntent (just made, or re-read for an event)."""
    intent = ProviderIntent.objects.get(pk=intent_id)
    status = payment_intent.get("status")
    if status == "succeeded":
        return _charge_succeeded(intent=intent, payment_intent=payment_intent)
    charge = _charge_for(intent)
    if status == "processing":
        intent_advance(intent_id=intent.pk, status=IntentStatus.PROCESSING, provider_id=payment_intent["id"],
                       payment_intent_id=payment_intent["id"])
        ProviderCharge.objects.filter(pk=charge.pk, status=ChargeStatus.PENDING).update(
            status=ChargeStatus.PROCESSING, updated_at=timezone.now())
    elif status in ("requires_payment_method", "requires_action", "canceled"):
        error = (payment_intent.get("last_payment_error") or {}).get("message") or "The payment failed."
        intent_advance(intent_id=intent.pk, status=IntentStatus.FAILED, error=error[:2000],
                       payment_intent_id=payment_intent["id"])
        return charge_fail(charge_id=charge.pk, error=error)
    return ProviderCharge.objects.get(pk=charge.pk)


def _charge_succeeded(*, intent, payment_intent):
    charge_id, fee = _fee_of(payment_intent)
    fields = {"payment_intent_id": payment_intent["id"], "charge_id": charge_id, "fee": fee}
    if intent.kind == IntentKind.CHARGE:
        fields["provider_id"] = payment_intent["id"]
    with transaction.atomic():
        charge = (ProviderCharge.objects.select_for_update(of=("self",))
                  .select_related("engagement__workspace", "engagement__freelancer", "created_by")
                  .get(workspace_id=intent.workspace_id, ledger_key=intent.ledger_key))
        intent_advance(intent_id=intent.pk, status=IntentStatus.SUCCEEDED, **fields)
        if charge.status == ChargeStatus.SUCCEEDED:
            return charge  # recorded before: a replayed answer, or the event came first
        tx = CHARGE_POSTERS[charge.purpose](charge)
        ProviderIntent.objects.filter(pk=intent.pk).update(ledger_transaction=tx)
        ProviderCharge.objects.filter(pk=charge.pk).update(status=ChargeStatus.SUCCEEDED, error="", paid_by=intent,
                                                           ledger_transaction=tx, updated_at=timezone.now())
    charge.refresh_from_db()
    return charge


def charge_fail(*, charge_id, error):
    """The charge did not go through: shown as payment failed, the owners asked to pay it."""
    with transaction.atomic():
        moved = ProviderCharge.objects.filter(pk=charge_id, status__in=[ChargeStatus.PENDING, ChargeStatus.PROCESSING]
                                              ).update(status=ChargeStatus.FAILED, error=error[:2000],
                                                       updated_at=timezone.now())
        charge = ProviderCharge.objects.select_related("engagement__workspace", "engagement__freelancer").get(
            pk=charge_id)
        if moved:
            provider_emails.charge_failed(charge=charge, url=absolute(reverse("payments:charge_pay",
                                                                              args=[charge.pk])))
            timeline.record(engagement=charge.engagement, kind="payment_failed",
                            summary=f"{charge.get_purpose_display()} of "
                                    f"{timeline.money(charge.amount, charge.engagement)}: the payment failed "
                                    f"({charge.error}). Nothing is owed until it is paid.")
    return charge


def charge_checkout_start(*, charge, actor):
    """A Checkout for a failed charge's amount (an open one is answered instead of a second)."""
    require_owner(charge.workspace, actor)
    if not stripe_enabled():
        raise ProviderNotEnabled("Payments through Stripe are off in this deployment; pay the freelancer outside "
                                 "the platform and record the payout.")
    if charge.status == ChargeStatus.SUCCEEDED:
        raise StateConflict("This payment was already made.")
    if charge.status != ChargeStatus.FAILED:
        raise StateConflict("This payment is still under way; wait for its result.")
    checkouts = ProviderIntent.objects.filter(workspace=charge.workspace, kind=IntentKind.CHECKOUT,
                                              ledger_key=charge.ledger_key)
    open_one = checkouts.filter(status__in=[IntentStatus.PENDING, IntentStatus.PROCESSING]).first()
    if open_one is not None:
        return open_one
    eng = charge.engagement
    customer = workspace_customer(eng.workspace, actor=actor)
    intent = intent_start(workspace=eng.workspace, kind=IntentKind.CHECKOUT, ledger_key=charge.ledger_key,
                          step=f"checkout-{checkouts.count() + 1}", amount=charge.amount, currency=charge.currency,
                          engagement=eng, actor=actor)
    back = absolute(reverse("payments:engagement", args=[eng.pk]))
    checkout = intent_call(intent, lambda key: payments_provider().checkout_create(
        amount=charge.amount, currency=charge.currency, name=f"{eng.title}: {charge.get_purpose_display()}",
        metadata=provider_metadata(engagement=eng, ledger_key=charge.ledger_key), transfer_group=transfer_group(eng),
        success_url=f"{back}?checkout=done", cancel_url=f"{back}?checkout=cancelled", idempotency_key=key,
        customer=customer.provider_customer_id))
    intent_advance(intent_id=intent.pk, status=IntentStatus.PENDING, provider_id=checkout.id, url=checkout.url)
    intent.refresh_from_db()
    return intent


def charge_checkout_confirm(*, intent_id, payment_intent_id):
    """The Checkout paying a failed charge was paid (re-read now): the charge is paid, once."""
    payment_intent = payments_provider().payment_intent_retrieve(payment_intent_id)
    if payment_intent.get("status") != "succeeded":
        return checkout_progress(intent_id=intent_id, payment_intent=payment_intent)
    intent = ProviderIntent.objects.get(pk=intent_id)
    saved_method_record(workspace_id=intent.workspace_id, payment_intent=payment_intent)
    return charge_settle(intent_id=intent_id, payment_intent=payment_intent)


def charge_payment_intent_event(*, payment_intent):
    """A `payment_intent.*` event of one of our charges (off session, or its Checkout): True when it was."""
    metadata = payment_intent.get("metadata") or {}
    charge = ProviderCharge.objects.filter(workspace_id=metadata.get("workspace") or None,
                                           ledger_key=metadata.get("ledger_key") or "").first()
    if charge is None:
        return False
    intents = ProviderIntent.objects.filter(workspace_id=charge.workspace_id, ledger_key=charge.ledger_key)
    off_session = intents.filter(kind=IntentKind.CHARGE).first()
    # The off-session charge's own PaymentIntent: known by its id, or the one a lost answer left unknown.
    if off_session is not None and (off_session.payment_intent_id == payment_intent["id"] or (
            not off_session.payment_intent_id and off_session.status == IntentStatus.STARTED)):
        charge_settle(intent_id=off_session.pk, payment_intent=payment_intent)
    elif payment_intent.get("status") == "succeeded":  # a Checkout's: its session event names it
        checkout = intents.filter(kind=IntentKind.CHECKOUT).order_by("-created_at").first()
        if checkout is not None:
            charge_checkout_confirm(intent_id=checkout.pk, payment_intent_id=payment_intent["id"])
    return True


def charges_recovery_sweep(*, now=None):
    """Charges a crash or an outage left unmade (or their intent started): made again with their
    own keys. Returns how many settled."""
    if not stripe_enabled():
        return 0
    now = now or timezone.now()
    stale = ProviderCharge.objects.filter(status=ChargeStatus.PENDING, updated_at__lt=now - RECOVERY_AFTER)
    settled = 0
    for charge_id in stale.order_by("pk").values_list("pk", flat=True)[:200]:
        settled += charge_run(charge_id=charge_id).status != ChargeStatus.PENDING
    return settled
