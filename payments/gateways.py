"""How money actually reaches a freelancer: a pluggable payout gateway.

`settings.PAYMENTS_PAYOUT_GATEWAY` names the class (dotted path); the default,
`OffPlatformGateway`, performs no transfer itself: the owner paid outside the platform (bank
transfer, PayPal, Wise…) and the gateway records the method and the transfer's reference.
Nothing here ever sees or stores card or account numbers.

A gateway that moves money itself implements `transfer()` to call its provider, passing
`request.idempotency_key` so a retried payout is not paid twice by the provider either, and
returns the provider's reference. It is called inside the payout's database transaction, after
the payable balance has been locked and checked: if it raises, nothing is recorded.
"""

import re
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils.module_loading import import_string

from .errors import InvalidInput

DEFAULT_GATEWAY = "payments.gateways.OffPlatformGateway"


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


# Where money "in escrow" really is with the default gateway: nothing moved yet, the owner set it
# aside. Shown wherever a figure says "in escrow" and wherever the owner funds a milestone
# (through `held_funds_note()`, the one place the sentence comes from).
OFF_PLATFORM_HELD_FUNDS_NOTE = "Set aside in your books; money moves when you pay out."


class PayoutGateway:
    """The interface. `methods` are the choices offered on the payout form; `held_funds_note`
    says in one sentence where money shown "in escrow" really is with this gateway."""

    name = "base"
    methods: tuple = ()
    held_funds_note = OFF_PLATFORM_HELD_FUNDS_NOTE

    def transfer(self, request: PayoutRequest) -> PayoutResult:
        raise NotImplementedError


_CARD_LIKE = re.compile(r"(?:\d[ -]?){13,19}")


def _luhn_ok(digits):
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def looks_like_card_number(text):
    for match in _CARD_LIKE.finditer(text or ""):
        digits = re.sub(r"\D", "", match.group())
        if 13 <= len(digits) <= 19 and _luhn_ok(digits):
            return True
    return False


class OffPlatformGateway(PayoutGateway):
    """Records a transfer the owner made outside the platform."""

    name = "off-platform"
    methods = (
        ("bank_transfer", "Bank transfer"),
        ("paypal", "PayPal"),
        ("wise", "Wise"),
        ("payoneer", "Payoneer"),
        ("cash", "Cash"),
        ("other", "Other"),
    )

    def transfer(self, request):
        reference = request.reference.strip()
        if not reference:
            raise InvalidInput("Give the transfer's reference (as it appears on your bank or PayPal record).",
                               field="reference")
        if looks_like_card_number(reference):
            raise InvalidInput("That looks like a card number. Never enter card details: give the transfer's "
                               "reference instead.", field="reference")
        return PayoutResult(reference=reference)


def payout_gateway():
    return import_string(getattr(settings, "PAYMENTS_PAYOUT_GATEWAY", DEFAULT_GATEWAY))()


def held_funds_note():
    """The one truthful line about escrow for this deployment's gateway."""
    return payout_gateway().held_funds_note


def method_choices():
    return list(payout_gateway().methods)


def method_label(method):
    return dict(method_choices()).get(method, method)
