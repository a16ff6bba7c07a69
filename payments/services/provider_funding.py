"""Funding a milestone through the payment provider (Stripe Checkout).

The owner is sent to a hosted Checkout page; the milestone stays a draft shown as "payment
pending" until Stripe confirms the payment (`checkout.session.completed` when paid, or
`payment_intent.succeeded`). Only then is the funding posted to the ledger, by the very service
the off-platform rail uses (`milestone_fund`, under the owner's own key), with Stripe's fee
read from the charge's balance transaction and posted as its own transaction (provider_fees.py).
A slow bank debit (SEPA, ACH) shows as "processing"; a failed or abandoned payment as such.
Money that arrives for a milestone that can no longer be funded (funded meanwhile, past the
budget) is refunded at once.
"""

from django.db import transaction
from django.urls import reverse

from accounts.audit import audit_record
from engagements.models import Engagement, Milestone, MilestoneState
from engagements.selectors import agreement_block
from notifications.links import absolute

from .. import timeline
from ..errors import BudgetExceeded, CurrencyMismatch, IdempotencyConflict, InvalidInput, PaymentError, StateConflict
from ..models import IntentKind, IntentStatus, ProviderIntent
from ..providers import payments_provider
from ..roles import require_owner
from ..selectors import asked_not_posted, committed_spend
from ._amounts import positive
from .escrow import load_milestone, milestone_fund
from .ledger import clean_key
from .provider_customers import saved_method_record, workspace_customer
from .provider_fees import fee_details_of, provider_fee_post
from .provider_intents import (
    find_intent,
    intent_advance,
    intent_call,
    intent_start,
    provider_metadata,
    transfer_group,
)
from .provider_moves import refund_unfundable


def _check_fundable(milestone, expected_amount, currency, provider):
    eng = milestone.engagement
    block = agreement_block(eng, action="fund a milestone")
    if block is not None:
        raise StateConflict(f"{block.message} Read and sign it: {block.owner_url}")
    if milestone.state != MilestoneState.DRAFT:
        raise StateConflict("Only a draft milestone can be funded.")
    if eng.is_ended:
        raise StateConflict(f"The engagement is {eng.get_status_display().lower()}; nothing more can be funded.")
    if (currency is not None and currency != eng.currency) or milestone.currency != eng.currency:
        raise CurrencyMismatch(f"This engagement is paid in {eng.currency}.", field="currency")
    if provider.currencies() and eng.currency not in provider.currencies():
        raise CurrencyMismatch(f"Payments in {eng.currency} cannot be taken through {provider.label} here.",
                               field="currency")
    amount = positive(milestone.amount, "amount")
    if expected_amount is not None and positive(expected_amount, "amount") != amount:
        raise InvalidInput("The milestone's amount changed since you confirmed; review it and try again.",
                           field="amount")
    asked = asked_not_posted(eng, except_milestone=milestone)
    if committed_spend(eng) + asked + amount > eng.budget_with_contingency:
        charging = f" with {timeline.money(asked, eng)} already being paid through Stripe" if asked else ""
        raise BudgetExceeded(f"Funding this milestone would go past the budget with contingency{charging}. Raise the "
                             "budget first.", field="budget")
    return amount


def milestone_checkout_start(*, milestone, actor, idempotency_key, expected_amount=None, currency=None):
    """The Checkout Session that pays for `milestone` (the same key answers the same session; a
    session still open for the milestone is answered instead of a second one). Returns the
    intent: `url` is where to send the owner."""
    milestone = load_milestone(milestone)
    eng = milestone.engagement
    require_owner(eng.workspace, actor)
    ledger_key = clean_key(idempotency_key)
    provider = payments_provider()
    existing = find_intent(workspace_id=eng.workspace_id, ledger_key=ledger_key, step="checkout")
    if existing is not None:
        if existing.milestone_id != milestone.pk:
            raise IdempotencyConflict("This idempotency key was already used for a different request; nothing was "
                                      "done. Use a new key for a new request.")
        return existing
    open_one = ProviderIntent.objects.filter(milestone=milestone, kind=IntentKind.CHECKOUT,
                                             status__in=[IntentStatus.PENDING, IntentStatus.PROCESSING]).first()
    if open_one is not None:
        if open_one.status == IntentStatus.PROCESSING:
            raise StateConflict("A bank payment for this milestone is already under way.")
        return open_one
    _check_fundable(milestone, expected_amount, currency, provider)
    customer = workspace_customer(eng.workspace, actor=actor)
    with transaction.atomic():  # checked again under the engagement's lock, as bonuses are: one at a time
        Engagement.objects.select_for_update().filter(pk=eng.pk).exists()
        fresh = Milestone.objects.select_related("engagement__workspace", "engagement__freelancer").get(pk=milestone.pk)
        amount = _check_fundable(fresh, expected_amount, currency, provider)
        intent = intent_start(workspace=eng.workspace, kind=IntentKind.CHECKOUT, ledger_key=ledger_key,
                              step="checkout", amount=amount, currency=eng.currency, engagement=eng,
                              milestone=milestone, actor=actor)
    back = absolute(reverse("payments:engagement", args=[eng.pk]))
    checkout = intent_call(intent, lambda key: provider.checkout_create(
        amount=amount, currency=eng.currency, name=f"{eng.title}: {milestone.title}",
        metadata=provider_metadata(engagement=eng, milestone=milestone, ledger_key=ledger_key),
        transfer_group=transfer_group(eng), success_url=f"{back}?checkout=done",
        cancel_url=f"{back}?checkout=cancelled",
        idempotency_key=key, customer=customer.provider_customer_id))
    with transaction.atomic():
        intent_advance(intent_id=intent.pk, status=IntentStatus.PENDING, provider_id=checkout.id, url=checkout.url)
        timeline.record(engagement=eng, kind="payment_pending", actor=actor, milestone=milestone,
                        summary=f"Payment of {timeline.money(amount, eng)} for “{milestone.title}” started: "
                                "it is funded once the payment is confirmed.")
    intent.refresh_from_db()
    return intent


def _fee_of(payment_intent):
    charge = payment_intent.get("latest_charge") or {}
    if not isinstance(charge, dict):
        return str(charge), None
    balance = charge.get("balance_transaction")
    return charge.get("id", ""), balance.get("fee") if isinstance(balance, dict) else None


def checkout_confirm(*, intent_id, payment_intent_id):
    """The payment of a checkout intent succeeded (Stripe says so, re-read just now): post the
    funding once. Money for a milestone that cannot be funded any more goes back."""
    payment_intent = payments_provider().payment_intent_retrieve(payment_intent_id)
    if payment_intent.get("status") != "succeeded":
        return checkout_progress(intent_id=intent_id, payment_intent=payment_intent)
    charge_id, fee = _fee_of(payment_intent)
    with transaction.atomic():
        intent = ProviderIntent.objects.select_for_update(of=("self",)).select_related(
            "milestone", "created_by", "engagement__workspace").get(pk=intent_id)
        saved_method_record(workspace_id=intent.workspace_id, payment_intent=payment_intent)
        if intent.status in (IntentStatus.SUCCEEDED, IntentStatus.FAILED):
            return intent
        fields = {"payment_intent_id": payment_intent_id, "charge_id": charge_id, "fee": fee}
        try:
            tx = milestone_fund(milestone=intent.milestone, actor=intent.created_by, idempotency_key=intent.ledger_key,
                                expected_amount=intent.amount, currency=intent.currency)
        except PaymentError as exc:
            intent_advance(intent_id=intent.pk, status=IntentStatus.FAILED,
                           error=f"Paid, but could not be funded ({exc.message}); the payment is refunded.", **fields)
            audit_record(workspace=intent.workspace, action="money.provider_unfundable", obj=intent,
                         detail=f"{intent.amount} minor units {intent.currency} paid, refunded: {exc.message}")
            transaction.on_commit(lambda: refund_unfundable(intent_id=intent.pk))
            return intent
        intent_advance(intent_id=intent.pk, status=IntentStatus.SUCCEEDED, ledger_transaction=tx, **fields)
        intent.charge_id = charge_id
        provider_fee_post(intent=intent, fee=fee, details=fee_details_of(payment_intent))
    return intent


def checkout_progress(*, intent_id, payment_intent=None, session=None):
    """A payment not (yet) succeeded: processing, failed, or a checkout abandoned."""
    status = (payment_intent or {}).get("status") or ""
    if session is not None and session.get("status") == "expired":
        intent_advance(intent_id=intent_id, status=IntentStatus.CANCELED, error="The checkout was abandoned.")
    elif status == "processing":
        intent_advance(intent_id=intent_id, status=IntentStatus.PROCESSING)
    elif status in ("requires_payment_method", "canceled") and payment_intent.get("last_payment_error"):
        error = payment_intent["last_payment_error"].get("message") or "The payment failed."
        target = IntentStatus.FAILED if status == "canceled" else IntentStatus.PENDING
        if not intent_advance(intent_id=intent_id, status=target, error=error[:2000]):
            ProviderIntent.objects.filter(pk=intent_id, status__in=[IntentStatus.PENDING, IntentStatus.PROCESSING]
                                          ).update(error=error[:2000])
    return ProviderIntent.objects.get(pk=intent_id)

