"""Balances like Stripe's: every movement is a balance transaction on one account (the platform
or a connected account), pending until its `available_on`; a balance is their sum per currency.

Fees (documented, not Stripe's price list): card 2.9 % + 30 minor units; SEPA Direct Debit and
ACH 0.8 % capped at 500; a dispute costs 1500. Charges become available `pending_days` after
they succeed (2 by default, like cards); `make_available()` skips the wait."""

from .store import StripeError, created_filter, invalid

DAY = 86_400
DISPUTE_FEE = 1500
_CATEGORY = {"charge": "charge", "payment": "charge", "refund": "refund", "payment_refund": "refund",
             "transfer": "transfer", "transfer_refund": "transfer_reversal", "payout": "payout",
             "payout_failure": "payout_reversal", "adjustment": "dispute", "topup": "topup"}


# Stripe's minimum charge amounts in minor units (others: 50).
MINIMUM_CHARGE = {"gbp": 30, "sek": 300, "nok": 300, "dkk": 250, "pln": 200, "hkd": 400, "mxn": 1000,
                  "czk": 1500, "huf": 17500, "ron": 200, "bgn": 100, "thb": 1000, "aed": 200, "myr": 200}


def processing_fee(amount, method):
    if method == "card":
        return (amount * 29 + 500) // 1000 + 30
    return min((amount * 8 + 500) // 1000, 500)


class LedgerMixin:
    pending_days = 2

    def balance_transaction(self, account, type_, amount, currency, source, *, fee=0, available_on=None,
                            description=None, fee_type="stripe_fee"):
        now = self.now()
        available_on = now if available_on is None else available_on
        fee_details = [] if not fee else [{"amount": fee, "application": None, "currency": currency,
                                           "description": "Stripe processing fees" if fee_type == "stripe_fee"
                                           else "Dispute fee", "type": fee_type}]
        return self.base("txn", "balance_transaction", account, bare=True, amount=amount,
                         available_on=available_on, balance_type="payments", currency=currency,
                         description=description, exchange_rate=None, fee=fee, fee_details=fee_details,
                         net=amount - fee, reporting_category=_CATEGORY[type_], source=source,
                         status="available" if available_on <= now else "pending", type=type_)

    def _refresh_status(self, account):
        now = self.now()
        for txn in self.select("balance_transaction", account):
            txn["status"] = "available" if txn["available_on"] <= now else "pending"

    def balance_of(self, account=None):
        """{currency: {"available": n, "pending": n}} — what `balance.retrieve` reports."""
        self._refresh_status(account)
        sums = {}
        for txn in self.select("balance_transaction", account):
            entry = sums.setdefault(txn["currency"], {"available": 0, "pending": 0})
            entry[txn["status"]] += txn["net"]
        return sums

    def make_available(self, account=None):
        """Every pending balance transaction of `account` becomes available now."""
        now = self.now()
        for txn in self.select("balance_transaction", account):
            txn["available_on"] = min(txn["available_on"], now)
        self._refresh_status(account)

    def add_balance(self, amount, currency="usd", account=None):
        """Money added to a balance at once (Stripe's test top-up): for tests of transfers without
        a source transaction."""
        return self.balance_transaction(account, "topup", amount, currency, None, description="Test top-up")

    # API: balance and balance transactions ---------------------------------------------
    def api_balance_retrieve(self, params, account):
        currency = self.objects[account]["default_currency"] if account else self.default_currency
        sums = self.balance_of(account) or {currency: {"available": 0, "pending": 0}}

        def entries(kind):
            return [{"amount": v[kind], "currency": c, "source_types": {"card": v[kind]}} for c, v in sums.items()]

        return {"object": "balance", "available": entries("available"), "pending": entries("pending"),
                "connect_reserved": [{"amount": 0, "currency": c} for c in sums], "livemode": False}

    def api_balance_transaction_retrieve(self, params, account, txn_id):
        self._refresh_status(account)
        return self.view(self.get(txn_id, "balance_transaction", account), params.get("expand"), account)

    def api_balance_transaction_list(self, params, account):
        self._refresh_status(account)
        created = created_filter(params.get("created"))
        wanted = {k: params[k] for k in ("currency", "source", "type", "payout") if params.get(k)}

        def match(txn):
            if not created(txn["created"]):
                return False
            return all(txn.get(k) == v for k, v in wanted.items() if k != "payout") and (
                "payout" not in wanted or txn["id"] in self._payout_txns(wanted["payout"]))

        return self.page(self.select("balance_transaction", account, match), params,
                         "/v1/balance_transactions", account)

    def _payout_txns(self, payout_id):
        return self.payout_members.get(payout_id, set())

    def _available(self, account, currency):
        return self.balance_of(account).get(currency, {}).get("available", 0)

    def _insufficient(self):
        return StripeError(400, "invalid_request_error",
                           "You have insufficient available funds in your Stripe account. Try adding funds "
                           "directly to your available balance by creating Charges using the 4000000000000077 "
                           "test card. See: https://stripe.com/docs/testing#available-balance",
                           code="balance_insufficient")

    def _positive_amount(self, amount):
        if amount is None or amount < 1:
            raise invalid("Invalid positive integer", param="amount")

    def _chargeable(self, amount, currency, *, param="amount"):
        """Stripe refuses charges below its per-currency minimum."""
        if len(currency) != 3 or not currency.isalpha():
            raise invalid(f"Invalid currency: {currency}.", param="currency")
        minimum = MINIMUM_CHARGE.get(currency, 50)
        if amount < minimum:
            raise invalid(f"Amount must be at least {minimum} {currency} (minor units).", param=param,
                          code="amount_too_small")
