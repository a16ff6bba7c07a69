"""The payment provider: which rail moves money in this deployment (`PAYMENTS_PROVIDER`).

- `off_platform` (the default; a self-hoster needs no payment account): nothing moves through
  the platform, the owner pays outside it and records the transfer.
- `stripe`: Stripe Connect, separate charges and transfers (payments/providers/stripe.py).

`payments_provider()` builds the configured one afresh (a `StripeClient` per provider, no module
globals); tests put the offline fake under it with `STRIPE_HTTP_CLIENT`.
"""

from django.conf import settings
from django.utils.module_loading import import_string

from .base import PaymentsProvider
from .off_platform import OffPlatformProvider
from .stripe import StripeProvider

__all__ = ["PaymentsProvider", "payments_provider", "stripe_enabled"]


def stripe_enabled():
    return getattr(settings, "PAYMENTS_PROVIDER", "off_platform") == "stripe"


def payments_provider(*, http_client=None):
    if not stripe_enabled():
        return OffPlatformProvider()
    factory = getattr(settings, "STRIPE_HTTP_CLIENT", "")
    if http_client is None and factory:
        http_client = import_string(factory)()
    return StripeProvider(
        secret_key=settings.STRIPE_SECRET_KEY, api_version=settings.STRIPE_API_VERSION,
        webhook_secrets=settings.STRIPE_WEBHOOK_SECRETS,
        connect_webhook_secrets=settings.STRIPE_CONNECT_WEBHOOK_SECRETS,
        currencies=settings.STRIPE_CURRENCIES, payment_methods=settings.STRIPE_PAYMENT_METHODS,
        platform_country=getattr(settings, "STRIPE_PLATFORM_COUNTRY", ""), http_client=http_client,
    )
