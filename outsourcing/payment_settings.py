"""The settings of the payment rail (payments/providers/), read from the environment;
outsourcing/settings.py puts them in place."""

from django.core.exceptions import ImproperlyConfigured

PROVIDERS = ("off_platform", "stripe")
# The API version the app was written and tested against; Stripe answers in this shape whatever
# the account's default is, so an account upgrade never changes what the app reads.
STRIPE_API_VERSION = "2026-10-28.endive"  # the stripe 16.1.0 package's own


def _secrets(env, name):
    # Comma-separated so a secret can be rolled: the new one is added, the old one removed later.
    return tuple(s.strip() for s in env.str(name, default="").split(",") if s.strip())


def payment_settings(env):
    provider = env.str("PAYMENTS_PROVIDER", default="off_platform")
    if provider not in PROVIDERS:
        raise ImproperlyConfigured(f"PAYMENTS_PROVIDER must be one of {', '.join(PROVIDERS)}, not {provider!r}.")
    values = {
        "PAYMENTS_PROVIDER": provider,
        "STRIPE_SECRET_KEY": env.str("STRIPE_SECRET_KEY", default=""),
        "STRIPE_WEBHOOK_SECRETS": _secrets(env, "STRIPE_WEBHOOK_SECRETS"),
        "STRIPE_CONNECT_WEBHOOK_SECRETS": _secrets(env, "STRIPE_CONNECT_WEBHOOK_SECRETS"),
        "STRIPE_API_VERSION": env.str("STRIPE_API_VERSION", default=STRIPE_API_VERSION),
        # The currencies the platform's Stripe account settles (ISO 4217, comma-separated).
        "STRIPE_CURRENCIES": tuple(c.strip().upper() for c in env.str(
            "STRIPE_CURRENCIES", default="USD,EUR,GBP").split(",") if c.strip()),
        # The payment method types Checkout offers (e.g. "card,sepa_debit"); empty: those turned on in
        # the Stripe Dashboard (dynamic payment methods).
        "STRIPE_PAYMENT_METHODS": tuple(m.strip() for m in env.str("STRIPE_PAYMENT_METHODS", default="").split(",")
                                        if m.strip()),
        # Dotted path of a zero-argument callable returning a `stripe.HTTPClient`: the one way to put
        # another transport under the StripeClient (the offline fake in tests). Empty: Stripe's own.
        "STRIPE_HTTP_CLIENT": env.str("STRIPE_HTTP_CLIENT", default=""),
        # The platform account's country (ISO 3166-1 alpha-2): a freelancer elsewhere (outside
        # Europe's single area) gets a cross-border "recipient" account. Empty: asked of Stripe once.
        "STRIPE_PLATFORM_COUNTRY": env.str("STRIPE_PLATFORM_COUNTRY", default="").strip().upper(),
        # Where Stripe's hosted pages live (Checkout, Connect onboarding). The app reaches them by a
        # form post answered with a redirect, which browsers check against the CSP's form-action.
        "STRIPE_HOSTED_PAGES": tuple(o.strip() for o in env.str(
            "STRIPE_HOSTED_PAGES", default="https://checkout.stripe.com,https://connect.stripe.com").split(",")
            if o.strip()),
    }
    # "Continue to payment" and "Set up payouts" post, then redirect there: the CSP's form-action.
    values["STRIPE_FORM_ACTIONS"] = values["STRIPE_HOSTED_PAGES"] if provider == "stripe" else ()
    if provider == "stripe" and not values["STRIPE_SECRET_KEY"]:
        raise ImproperlyConfigured("PAYMENTS_PROVIDER=stripe needs STRIPE_SECRET_KEY.")
    return values
