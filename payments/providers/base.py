"""The interface every payment provider implements, and what they hand back.

A provider answers two questions for the rest of the app: where money shown as held really is
(`held_funds_note`, one truthful sentence), and how money moves. `off_platform` moves none: the
owner pays outside and records the transfer. `stripe` moves it through Stripe Connect; its
extra operations (accounts, checkout, transfers, refunds, events) are declared here so a caller
reads one interface, and refused by a provider that has no such thing.
"""

from dataclasses import dataclass
from datetime import date

from ..errors import ProviderNotEnabled


@dataclass(frozen=True)
class PayoutRequest:
    workspace_id: int
    freelancer_id: int
    engagement_id: int
    amount: int
    currency: str
    method: str
    reference: str
    paid_on: date
    idempotency_key: str


@dataclass(frozen=True)
class PayoutResult:
    reference: str


@dataclass(frozen=True)
class Checkout:
    """A hosted payment page the owner is sent to."""

    id: str
    url: str


class PaymentsProvider:
    name = "base"
    label = ""
    held_funds_note = ""
    # Whether the provider itself moves the money (and the ledger waits for its confirmation).
    moves_money = False
    methods: tuple = ()

    def currencies(self):
        """The ISO 4217 codes money can move in; empty means any (nothing moves through us)."""
        return ()

    def record_payout(self, request: PayoutRequest) -> PayoutResult:
        raise NotImplementedError

    # --- Operations of a provider that moves money (refused by one that does not) ---------------
    def _not_enabled(self, *args, **kwargs):
        raise ProviderNotEnabled("Money moves outside the platform in this deployment; there is no payment "
                                 "provider to do that through.")

    account_create = account_link = account_retrieve = _not_enabled
    checkout_create = checkout_retrieve = payment_intent_retrieve = _not_enabled
    customer_create = payment_intent_create = _not_enabled
    transfer_create = transfer_reverse = refund_create = _not_enabled
    event_verify = events_list = balance_transactions_list = dispute_retrieve = payout_retrieve = _not_enabled
    balance_retrieve = _not_enabled
