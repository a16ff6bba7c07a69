"""The default provider: nothing moves through the platform. The owner pays the freelancer
outside it (bank transfer, PayPal, Wise…) and records the transfer's reference; nothing here ever
sees or stores card or account numbers. Money a milestone shows as held is set aside in the
owner's books."""

import re

from ..errors import InvalidInput
from .base import PaymentsProvider, PayoutResult

HELD_FUNDS_NOTE = "Set aside in your books; money moves when you pay out."

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


class OffPlatformProvider(PaymentsProvider):
    """Records a transfer the owner made outside the platform."""

    name = "off_platform"
    label = "Off-platform"
    held_funds_note = HELD_FUNDS_NOTE
    methods = (
        ("bank_transfer", "Bank transfer"),
        ("paypal", "PayPal"),
        ("wise", "Wise"),
        ("payoneer", "Payoneer"),
        ("cash", "Cash"),
        ("other", "Other"),
    )

    def record_payout(self, request):
        reference = request.reference.strip()
        if not reference:
            raise InvalidInput("Give the transfer's reference (as it appears on your bank or PayPal record).",
                               field="reference")
        if looks_like_card_number(reference):
            raise InvalidInput("That looks like a card number. Never enter card details: give the transfer's "
                               "reference instead.", field="reference")
        return PayoutResult(reference=reference)
