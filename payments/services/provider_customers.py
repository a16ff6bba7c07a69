"""The workspace's Stripe Customer and the payment method it saved for off-session charges.

Every Checkout Session the workspace opens names its Customer (created once, under the intent key
`workspace-{id}:customer`, so two owners paying at once make one) with
`payment_intent_data.setup_future_usage=off_session`: the method the owner pays with is attached
to the Customer and recorded here when the payment succeeds, replacing the one before. That saved
method is what bonuses, approved hours, retainer periods and commissions are charged to
(provider_charges.py). Changing it is paying one Checkout with another method.
"""

from datetime import UTC, datetime

from django.db import transaction

from ..models import IntentKind, IntentStatus, PaymentCustomer
from ..providers import payments_provider
from .provider_intents import intent_advance, intent_call, intent_start


def workspace_customer(workspace, *, actor=None):
    """The workspace's Customer at the provider, created the first time it is needed."""
    customer = PaymentCustomer.objects.filter(workspace=workspace).first()
    if customer is not None:
        return customer
    intent = intent_start(workspace=workspace, kind=IntentKind.CUSTOMER, ledger_key=f"workspace-{workspace.pk}",
                          step="customer", amount=0, currency="", actor=actor)
    email = getattr(actor, "email", "") or ""
    result = intent_call(intent, lambda key: payments_provider().customer_create(
        email=email, name=workspace.name, metadata={"workspace": str(workspace.pk)}, idempotency_key=key))
    with transaction.atomic():
        intent_advance(intent_id=intent.pk, status=IntentStatus.SUCCEEDED, provider_id=result["id"])
        customer, _ = PaymentCustomer.objects.get_or_create(workspace=workspace,
                                                            defaults={"provider_customer_id": result["id"]})
    return customer


def _method_label(payment_intent):
    charge = payment_intent.get("latest_charge")
    details = (charge.get("payment_method_details") or {}) if isinstance(charge, dict) else {}
    kind = details.get("type") or ""
    shown = details.get(kind) or {}
    name = {"card": (shown.get("brand") or "card").title(), "sepa_debit": "SEPA Direct Debit",
            "us_bank_account": shown.get("bank_name") or "US bank account"}.get(kind, kind.replace("_", " "))
    return f"{name} ending {shown['last4']}" if shown.get("last4") else name


def saved_method_record(*, workspace_id, payment_intent):
    """A Checkout of this workspace succeeded with a method saved for later: it is the one charged
    off session from now on (a newer payment replaces an older one, never the reverse)."""
    method = payment_intent.get("payment_method")
    method = method.get("id") if isinstance(method, dict) else method
    customer = payment_intent.get("customer")
    customer = customer.get("id") if isinstance(customer, dict) else customer
    if not method or not customer or payment_intent.get("setup_future_usage") != "off_session":
        return False
    saved_at = datetime.fromtimestamp(payment_intent.get("created") or 0, tz=UTC)
    newer = PaymentCustomer.objects.filter(workspace_id=workspace_id, provider_customer_id=customer).exclude(
        saved_at__gt=saved_at)
    return newer.update(payment_method_id=method, payment_method_label=_method_label(payment_intent)[:80],
                        saved_at=saved_at) == 1
