"""`FakeStripe`: the stateful fake of the Stripe endpoints the payment rail uses. See README.md
in this folder for the interface."""

import stripe

from .accounts import AccountsMixin
from .api import ApiMixin
from .charges import ChargesMixin
from .checkout import CheckoutMixin
from .intents import IntentsMixin
from .ledger import LedgerMixin
from .store import Store
from .transfers import TransfersMixin
from .webhooks import WebhooksMixin

TEST_KEY = "sk_test_fake_0123456789"


class FakeStripe(ApiMixin, AccountsMixin, CheckoutMixin, IntentsMixin, ChargesMixin, TransfersMixin, LedgerMixin,
                 WebhooksMixin, Store):
    def __init__(self, *, default_currency="usd", platform_country=None, pending_days=2, **options):
        """`platform_country` (e.g. "US") turns on Stripe's cross-border rule for new accounts;
        None leaves it off (accounts default to the US then)."""
        super().__init__(**options)
        self.default_currency = default_currency
        self.platform_country = platform_country.upper() if platform_country else None
        self.pending_days = pending_days
        self.links = {}  # account link token → {account, refresh_url, return_url, type, expires_at, used}
        self.session_extras = {}  # checkout session id → {"lines": [...], "pi_data": {...}}
        self.session_of_pi = {}  # payment intent id → its checkout session id
        self.declines = {}  # payment method id → decline code
        self.disputing = set()  # payment methods whose charges are disputed at once (pm_card_createDispute)
        self.payout_members = {}  # payout id → ids of the balance transactions it paid out
        self.idempotency = {}  # (account, key) → (method, path, params, status, body)
        self.requests = []  # (method, path, status) of every API call, for assertions
        self.faults = []  # injected failures, see inject_fault

    def client(self, api_key=TEST_KEY, *, stripe_version=None, **options):
        """A real `stripe.StripeClient` whose requests go to this fake, in process."""
        from .http import FakeHTTPClient

        return stripe.StripeClient(api_key, http_client=FakeHTTPClient(self),
                                   stripe_version=stripe_version or self.api_version, **options)

    def objects_of(self, kind, account=None, **fields):
        """The stored objects of `kind` ("transfer", "refund", …) in `account`'s scope whose
        fields equal `fields`, newest first — for assertions such as "one transfer per release"."""
        return self.select(kind, account, lambda o: all(o.get(k) == v for k, v in fields.items()))

    def platform_balance(self, currency=None):
        """{"available": n, "pending": n} of the platform in `currency` (the default one)."""
        return self.balance_of(None).get(currency or self.default_currency, {"available": 0, "pending": 0})

    def connected_balance(self, account_id, currency=None):
        currency = currency or self.get(account_id, "account")["default_currency"]
        return self.balance_of(account_id).get(currency, {"available": 0, "pending": 0})
