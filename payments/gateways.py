"""How an off-platform payout is recorded: a pluggable payout gateway.

`settings.PAYMENTS_PAYOUT_GATEWAY` names the class (dotted path); the default,
`OffPlatformGateway`, is the off-platform provider's recording of a transfer the owner made
outside the platform (payments/providers/off_platform.py): the method and the transfer's
reference. Nothing here ever sees or stores card or account numbers.

Which rail moves money at all is the payment provider's (payments/providers/, chosen by
`PAYMENTS_PROVIDER`); with Stripe, money reaches a freelancer by transfer on release, and this
gateway only records what the owner pays outside the platform besides.

A gateway is called inside the payout's database transaction, after the payable balance has
been locked and checked: if it raises, nothing is recorded.
"""

from django.conf import settings
from django.utils.module_loading import import_string

from .providers import payments_provider
from .providers.base import PayoutRequest, PayoutResult
from .providers.off_platform import HELD_FUNDS_NOTE as OFF_PLATFORM_HELD_FUNDS_NOTE
from .providers.off_platform import OffPlatformProvider, looks_like_card_number

DEFAULT_GATEWAY = "payments.gateways.OffPlatformGateway"

__all__ = ["OFF_PLATFORM_HELD_FUNDS_NOTE", "PayoutRequest", "PayoutResult", "looks_like_card_number"]


class PayoutGateway:
    """The interface. `methods` are the choices offered on the payout form."""

    name = "base"
    methods: tuple = ()

    def transfer(self, request: PayoutRequest) -> PayoutResult:
        raise NotImplementedError


class OffPlatformGateway(PayoutGateway):
    """Records a transfer the owner made outside the platform."""

    name = "off-platform"
    methods = OffPlatformProvider.methods

    def transfer(self, request):
        return OffPlatformProvider().record_payout(request)


def payout_gateway():
    return import_string(getattr(settings, "PAYMENTS_PAYOUT_GATEWAY", DEFAULT_GATEWAY))()


def held_funds_note():
    """The one truthful line about held funds for this deployment's payment provider."""
    return payments_provider().held_funds_note


def method_choices():
    return list(payout_gateway().methods)


# Payouts a provider made itself (not a method the owner picks when recording one).
PROVIDER_METHOD_LABELS = {"stripe": "Stripe transfer"}


def method_label(method):
    return dict(method_choices()).get(method) or PROVIDER_METHOD_LABELS.get(method, method)
