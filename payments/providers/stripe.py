"""Stripe Connect with separate charges and transfers: the owner's payment lands in the
platform's Stripe balance (a Checkout Session), and a release transfers it to the freelancer's
Express connected account.

One `StripeClient` per provider object, never the package's module-level key: two providers
with two keys (tests, a key rotation) cannot leak into each other. The HTTP transport is
injectable (`http_client`; `STRIPE_HTTP_CLIENT` names a factory), which is how the offline fake
stands in for Stripe in tests. Every call that creates something is given an idempotency key
derived from the app's own (`{ledger key}:{step}`), so a replay after a crash creates nothing new.

Answers are handed back as plain dicts (`to_dict`), so nothing above depends on the package's
object classes. Stripe's refusals become `ProviderError` with a message for people.
"""

import json

import stripe
from django.core.cache import cache

from ..errors import ProviderError
from .base import Checkout, PaymentsProvider

HELD_FUNDS_NOTE = "Held in the platform's Stripe balance until you release them."
# How far a webhook's signed timestamp may lag behind our clock (Stripe's default too).
WEBHOOK_TOLERANCE_SECONDS = 300
_RETRYABLE = (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError)
# Europe's single area for Connect (the EEA, the UK and Switzerland): a platform in one of these
# countries may hold full-agreement accounts in any other of them.
EUROPE = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU",
    "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "IS", "LI", "NO", "GB", "CH"})
PLATFORM_COUNTRY_CACHE = "payments:stripe-platform-country"


def cross_border(platform_country, country):
    """Whether an account in `country` is cross-border for a platform in `platform_country`
    (Stripe's rule: then only the recipient service agreement and the transfers capability)."""
    if not platform_country or not country or country == platform_country:
        return False
    return not {country, platform_country} <= EUROPE


def _plain(obj):
    return obj.to_dict() if hasattr(obj, "to_dict") else obj


class StripeProvider(PaymentsProvider):
    name = "stripe"
    label = "Stripe"
    held_funds_note = HELD_FUNDS_NOTE
    moves_money = True

    def __init__(self, *, secret_key, api_version, webhook_secrets=(), connect_webhook_secrets=(),
                 currencies=(), payment_methods=(), platform_country="", http_client=None):
        self.webhook_secrets = tuple(webhook_secrets)
        self.connect_webhook_secrets = tuple(connect_webhook_secrets)
        self._currencies = tuple(currencies)
        self.payment_methods = list(payment_methods)
        self._platform_country = (platform_country or "").upper()
        self.client = stripe.StripeClient(secret_key, stripe_version=api_version, http_client=http_client,
                                          max_network_retries=2)

    def currencies(self):
        return self._currencies

    def _call(self, fn, *args, **kwargs):
        try:
            return _plain(fn(*args, **kwargs))
        except _RETRYABLE as exc:
            raise ProviderError("Stripe could not be reached; nothing was charged or sent. Try again in a minute.",
                                retryable=True) from exc
        except stripe.StripeError as exc:
            detail = getattr(exc, "user_message", None) or str(exc) or type(exc).__name__
            raise ProviderError(f"Stripe refused: {detail}") from exc

    # --- Connected accounts -----------------------------------------------------------------
    def platform_country(self):
        """The platform account's country: STRIPE_PLATFORM_COUNTRY, else Stripe's answer, asked
        once a day."""
        if not self._platform_country:
            country = cache.get(PLATFORM_COUNTRY_CACHE)
            if not country:
                country = (self._call(self.client.v1.accounts.retrieve_current).get("country") or "").upper()
                cache.set(PLATFORM_COUNTRY_CACHE, country, 24 * 3600)
            self._platform_country = country
        return self._platform_country

    def account_create(self, *, email, country, metadata, idempotency_key):
        """An Express account that receives transfers; in another country than the platform's
        (outside Europe's single area) under the recipient service agreement, as Stripe requires
        for cross-border payouts."""
        params = {
            "type": "express", "email": email, "metadata": metadata,
            "capabilities": {"transfers": {"requested": True}},
        }
        if country:
            params["country"] = country.upper()
            if cross_border(self.platform_country(), country.upper()):
                params["tos_acceptance"] = {"service_agreement": "recipient"}
        return self._call(self.client.v1.accounts.create, params, {"idempotency_key": idempotency_key})

    def account_retrieve(self, account_id):
        return self._call(self.client.v1.accounts.retrieve, account_id)

    def account_link(self, *, account_id, refresh_url, return_url):
        link = self._call(self.client.v1.account_links.create, {
            "account": account_id, "refresh_url": refresh_url, "return_url": return_url,
            "type": "account_onboarding",
        })
        return link["url"]

    # --- Funding ------------------------------------------------------------------------------
    def checkout_create(self, *, amount, currency, name, metadata, transfer_group, success_url, cancel_url,
                        idempotency_key, customer=None):
        params = {
            "mode": "payment",
            "line_items": [{"quantity": 1, "price_data": {
                "currency": currency.lower(), "unit_amount": amount, "product_data": {"name": name[:250]},
            }}],
            "payment_intent_data": {"transfer_group": transfer_group, "metadata": metadata,
                                    "setup_future_usage": "off_session"},
            "metadata": metadata, "client_reference_id": metadata["ledger_key"][:200],
            "success_url": success_url, "cancel_url": cancel_url,
        }
        if customer:  # the method saved is attached to the workspace's Customer, for off-session charges
            params["customer"] = customer
        if self.payment_methods:
            params["allowed_payment_method_types"] = self.payment_methods
        session = self._call(self.client.v1.checkout.sessions.create, params, {"idempotency_key": idempotency_key})
        return Checkout(id=session["id"], url=session["url"])

    def checkout_retrieve(self, session_id):
        return self._call(self.client.v1.checkout.sessions.retrieve, session_id)

    def payment_intent_retrieve(self, payment_intent_id):
        """The payment with its charge and the charge's balance transaction (Stripe's fee)."""
        return self._call(self.client.v1.payment_intents.retrieve, payment_intent_id,
                          {"expand": ["latest_charge.balance_transaction"]})

    # --- Charging the owner's saved method (bonus, hours, retainer, commission) ---------------
    def customer_create(self, *, email, name, metadata, idempotency_key):
        params = {"metadata": metadata, "name": name[:250]}
        if email:
            params["email"] = email
        return self._call(self.client.v1.customers.create, params, {"idempotency_key": idempotency_key})

    def payment_intent_create(self, *, amount, currency, customer, payment_method, description, metadata,
                              transfer_group, idempotency_key):
        """An off-session charge of the method the owner saved at a Checkout, confirmed at once;
        a decline (or a bank asking the owner to authenticate) is a ProviderError."""
        return self._call(self.client.v1.payment_intents.create, {
            "amount": amount, "currency": currency.lower(), "customer": customer, "payment_method": payment_method,
            "off_session": True, "confirm": True, "description": description[:1000], "metadata": metadata,
            "transfer_group": transfer_group, "expand": ["latest_charge.balance_transaction"],
        }, {"idempotency_key": idempotency_key})

    # --- Moving held funds --------------------------------------------------------------------
    def transfer_create(self, *, amount, currency, destination, source_transaction, transfer_group, metadata,
                        idempotency_key):
        params = {"amount": amount, "currency": currency.lower(), "destination": destination,
                  "transfer_group": transfer_group, "metadata": metadata}
        if source_transaction:
            params["source_transaction"] = source_transaction
        return self._call(self.client.v1.transfers.create, params, {"idempotency_key": idempotency_key})

    def transfer_reverse(self, *, transfer_id, amount, metadata, idempotency_key):
        return self._call(self.client.v1.transfers.reversals.create, transfer_id,
                          {"amount": amount, "metadata": metadata}, {"idempotency_key": idempotency_key})

    def refund_create(self, *, payment_intent, amount, metadata, idempotency_key):
        return self._call(self.client.v1.refunds.create,
                          {"payment_intent": payment_intent, "amount": amount, "metadata": metadata},
                          {"idempotency_key": idempotency_key})

    def dispute_retrieve(self, dispute_id):
        return self._call(self.client.v1.disputes.retrieve, dispute_id)

    def payout_retrieve(self, payout_id, *, account):
        """A payout of a connected account to its bank (read with the account's Stripe-Account)."""
        return self._call(self.client.v1.payouts.retrieve, payout_id, None, {"stripe_account": account})

    # --- Events -------------------------------------------------------------------------------
    def event_verify(self, *, payload, header, connect=False):
        """The event of a webhook body whose `Stripe-Signature` matches one of the active secrets
        within the tolerance; `stripe.SignatureVerificationError` otherwise."""
        secrets = self.connect_webhook_secrets if connect else self.webhook_secrets
        if not secrets:
            raise stripe.SignatureVerificationError("No webhook secret is configured.", header, payload)
        last = None
        for secret in secrets:
            try:
                stripe.WebhookSignature.verify_header(payload, header, secret, WEBHOOK_TOLERANCE_SECONDS)
            except stripe.SignatureVerificationError as exc:
                last = exc
                continue
            return json.loads(payload)
        raise last

    def events_list(self, *, created_gte, starting_after=None, account=None, types=None):
        """A page of the platform's events, or with `account` a connected account's (its
        `Stripe-Account`), of `types` when given."""
        params = {"created": {"gte": created_gte}, "limit": 100}
        if starting_after:
            params["starting_after"] = starting_after
        if types:
            params["types"] = list(types)
        return self._call(self.client.v1.events.list, params, {"stripe_account": account} if account else None)

    def balance_retrieve(self):
        """The platform's balance: {currency (upper case): available + pending} in minor units."""
        balance = self._call(self.client.v1.balance.retrieve)
        totals = {}
        for part in ("available", "pending"):
            for row in balance.get(part) or []:
                currency = row["currency"].upper()
                totals[currency] = totals.get(currency, 0) + row["amount"]
        return totals

    def balance_transactions_list(self, *, created_gte, starting_after=None):
        params = {"created": {"gte": created_gte}, "limit": 100}
        if starting_after:
            params["starting_after"] = starting_after
        return self._call(self.client.v1.balance_transactions.list, params)
