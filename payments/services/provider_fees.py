"""Stripe's fee in the ledger. Under separate charges and transfers the owner's payment lands in
the platform's balance minus Stripe's fee, and a release transfers the full amount: the fee is
the platform's cost, not the owner's (who funded the full amount) nor the freelancer's (who
receives it). So the funding stays whole and the fee is its own transaction, read from the
charge's balance transaction (`fee`, `fee_details`): the platform's own money → provider fees,
on the milestone it was charged for, once per charge (its key `{checkout key}:fee`).
"""

from ..models import TransactionKind
from ..money import format_money
from .ledger import platform_account, post, provider_fees_account, run_idempotent
from .provider_intents import intent_key


def fee_details_of(payment_intent):
    """The charge's balance transaction's fee lines ([{amount, type, description}]), when expanded."""
    charge = payment_intent.get("latest_charge")
    balance = charge.get("balance_transaction") if isinstance(charge, dict) else None
    return list(balance.get("fee_details") or []) if isinstance(balance, dict) else []


def provider_fee_post(*, intent, fee, details=()):
    """Post Stripe's `fee` (minor units) on the checkout `intent`'s charge; once (a retry or a
    second reader finds the first). Returns the transaction, or None when there is no fee."""
    if not fee:
        return None
    engagement = intent.engagement
    what = ", ".join(f"{d.get('description') or d.get('type')} {format_money(d['amount'], intent.currency)}"
                     for d in details if d.get("amount")) or "processing"

    def perform(key, fp):
        return post(
            workspace=engagement.workspace, kind=TransactionKind.PROVIDER_FEE, currency=intent.currency,
            lines=[(platform_account(engagement.workspace), -fee), (provider_fees_account(engagement.workspace), fee)],
            idempotency_key=key, fingerprint=fp, engagement=engagement, milestone=intent.milestone, automatic=True,
            memo=f"Stripe's fee on charge {intent.charge_id} ({what}), paid by the platform",
        )

    return run_idempotent(workspace=engagement.workspace, key=intent_key(intent.ledger_key, "fee"),
                          action="provider_fee", params={"intent": intent.pk, "fee": fee}, perform=perform)
