"""One API request through the fake: authentication, the `Stripe-Account` scope, parameters
checked against the package's TypedDicts, Idempotency-Key replay, then the handler; errors in
Stripe's JSON shape."""

import copy
import fnmatch
import re
from urllib.parse import urlsplit

import stripe.params as P
import stripe.params.checkout as PC

from .params import ParamError, check_params, decode_form
from .store import StripeError, created_filter, invalid

_ID = r"([A-Za-z0-9_]+)"
ROUTES = [(method, re.compile(f"^{path.replace('{id}', _ID)}$"), handler, params) for method, path, handler, params in [
    ("POST", "/v1/accounts", "account_create", P.AccountCreateParams),
    ("GET", "/v1/accounts", "account_list", P.AccountListParams),
    ("GET", "/v1/accounts/{id}", "account_retrieve", P.AccountRetrieveParams),
    ("GET", "/v1/account", "account_current", P.AccountRetrieveCurrentParams),
    ("POST", "/v1/account_links", "account_link_create", P.AccountLinkCreateParams),
    ("POST", "/v1/checkout/sessions", "checkout_session_create", PC.SessionCreateParams),
    ("GET", "/v1/checkout/sessions", "checkout_session_list", PC.SessionListParams),
    ("GET", "/v1/checkout/sessions/{id}", "checkout_session_retrieve", PC.SessionRetrieveParams),
    ("POST", "/v1/checkout/sessions/{id}/expire", "checkout_session_expire", PC.SessionExpireParams),
    ("GET", "/v1/checkout/sessions/{id}/line_items", "checkout_session_line_items", PC.SessionLineItemListParams),
    ("POST", "/v1/customers", "customer_create", P.CustomerCreateParams),
    ("GET", "/v1/customers", "customer_list", P.CustomerListParams),
    ("GET", "/v1/customers/{id}", "customer_retrieve", P.CustomerRetrieveParams),
    ("GET", "/v1/customers/{id}/payment_methods", "customer_payment_methods", P.CustomerPaymentMethodListParams),
    ("GET", "/v1/payment_methods/{id}", "payment_method_retrieve", P.PaymentMethodRetrieveParams),
    ("POST", "/v1/payment_intents", "payment_intent_create", P.PaymentIntentCreateParams),
    ("GET", "/v1/payment_intents", "payment_intent_list", P.PaymentIntentListParams),
    ("GET", "/v1/payment_intents/{id}", "payment_intent_retrieve", P.PaymentIntentRetrieveParams),
    ("GET", "/v1/charges", "charge_list", P.ChargeListParams),
    ("GET", "/v1/charges/{id}", "charge_retrieve", P.ChargeRetrieveParams),
    ("GET", "/v1/balance", "balance_retrieve", P.BalanceRetrieveParams),
    ("GET", "/v1/balance_transactions", "balance_transaction_list", P.BalanceTransactionListParams),
    ("GET", "/v1/balance_transactions/{id}", "balance_transaction_retrieve", P.BalanceTransactionRetrieveParams),
    ("POST", "/v1/transfers", "transfer_create", P.TransferCreateParams),
    ("GET", "/v1/transfers", "transfer_list", P.TransferListParams),
    ("GET", "/v1/transfers/{id}", "transfer_retrieve", P.TransferRetrieveParams),
    ("POST", "/v1/transfers/{id}/reversals", "transfer_reversal_create", P.TransferReversalCreateParams),
    ("POST", "/v1/refunds", "refund_create", P.RefundCreateParams),
    ("GET", "/v1/refunds", "refund_list", P.RefundListParams),
    ("GET", "/v1/refunds/{id}", "refund_retrieve", P.RefundRetrieveParams),
    ("GET", "/v1/payouts", "payout_list", P.PayoutListParams),
    ("GET", "/v1/payouts/{id}", "payout_retrieve", P.PayoutRetrieveParams),
    ("GET", "/v1/events", "event_list", P.EventListParams),
    ("GET", "/v1/events/{id}", "event_retrieve", P.EventRetrieveParams),
    ("GET", "/v1/disputes", "dispute_list", P.DisputeListParams),
    ("GET", "/v1/disputes/{id}", "dispute_retrieve", P.DisputeRetrieveParams),
]]


def _error_code(message):
    for start, code in (("Received unknown", "parameter_unknown"), ("Missing required", "parameter_missing"),
                        ("Invalid integer", "parameter_invalid_integer"), ("Invalid boolean", "parameter_invalid")):
        if message.startswith(start):
            return code
    return "parameter_invalid"


class _Headers(dict):
    """Response headers the stripe package reads case-insensitively."""

    def __init__(self, items):
        super().__init__(items)
        self._lower = {k.lower(): v for k, v in items.items()}

    def __contains__(self, key):
        return key.lower() in self._lower

    def __getitem__(self, key):
        return self._lower[key.lower()]

    def get(self, key, default=None):
        return self._lower.get(key.lower(), default)


class ResponseLost(Exception):
    """The request ran at Stripe but its answer never reached the caller (a dropped connection)."""


class ApiMixin:
    def inject_fault(self, mode="lost", *, path=None, method="POST", count=1):
        """The next `count` requests matching `method` and `path` (a prefix such as "/v1/transfers";
        any when None) fail: `lost` runs them and then drops the connection (the client sees
        stripe.APIConnectionError, the object exists), `error` answers 500 api_error without
        running them."""
        self.faults.append({"mode": mode, "path": path, "method": method, "left": count})

    def _fault_for(self, method, url):
        path = urlsplit(url).path
        for fault in self.faults:
            if fault["left"] and fault["method"] == method and path.startswith(fault["path"] or ""):
                fault["left"] -= 1
                return fault["mode"]
        return None

    def handle(self, method, url, headers, body=None):
        """→ (status, JSON-ready body, response headers) for one HTTP request to /v1/…
        Raises ResponseLost after running a request whose answer an injected fault drops."""
        headers = {k.lower(): v for k, v in (headers or {}).items()}
        request_id = self.new_id("req", 14)
        out = {"Request-Id": request_id, "Content-Type": "application/json", "Stripe-Version": self.api_version}
        with self.lock:
            fault = self._fault_for(method.upper(), url)
            try:
                if fault == "error":
                    raise StripeError(500, "api_error", "An unknown error occurred (injected by the fake).")
                status, payload, replayed = self._handle(method.upper(), url, headers, body, request_id)
            except StripeError as error:
                status, payload, replayed = error.status, error.payload(), False
            finally:
                self.request_context = None
        if fault == "lost":
            self.requests.append((method.upper(), urlsplit(url).path, "lost"))
            raise ResponseLost(f"{method} {url}")
        if headers.get("idempotency-key"):
            out["Idempotency-Key"] = headers["idempotency-key"]
        if replayed:
            out["Idempotent-Replayed"] = "true"
        self.requests.append((method.upper(), urlsplit(url).path, status))
        return status, payload, _Headers(out)

    def _handle(self, method, url, headers, body, request_id):
        self._authenticate(headers)
        account = self._scope(headers)
        parts = urlsplit(url)
        handler, params_class, args = self._route(method, parts.path)
        raw = decode_form(body if method == "POST" else parts.query)
        try:
            params = check_params(raw, params_class)
        except ParamError as error:
            raise invalid(error.message, param=error.param, code=_error_code(error.message)) from None
        key = headers.get("idempotency-key") if method == "POST" else None
        if key and len(key) > 255:
            raise invalid("Idempotency keys can be at most 255 characters long.", param="idempotency_key")
        if key:
            stored = self._replay(account, key, method, parts.path, raw)
            if stored is not None:
                return stored[0], copy.deepcopy(stored[1]), True
        self.request_context = {"id": request_id, "idempotency_key": key}
        try:
            status, payload = 200, handler(params, account, *args)
        except StripeError as error:
            status, payload = error.status, error.payload()
        if key:
            self.idempotency[(account, key)] = (method, parts.path, raw, status, copy.deepcopy(payload))
        return status, payload, False

    def _authenticate(self, headers):
        auth = headers.get("authorization", "")
        key = auth.removeprefix("Bearer ").strip()
        if not key.startswith(("sk_test_", "rk_test_")):
            raise StripeError(401, "invalid_request_error",
                              f"Invalid API Key provided: {key[:8]}{'*' * max(0, len(key) - 12)}{key[-4:]}"
                              if key else "You did not provide an API key.")

    def _scope(self, headers):
        account = headers.get("stripe-account") or None
        if account is not None:
            found = self.objects.get(account)
            if found is None or found["object"] != "account":
                raise StripeError(403, "invalid_request_error",
                                  f"The provided key does not have access to account '{account}' (or that account "
                                  "does not exist). Application access may have been revoked.", code="account_invalid")
        return account

    def _route(self, method, path):
        for route_method, pattern, name, params_class in ROUTES:
            found = pattern.match(path)
            if found and route_method == method:
                return getattr(self, f"api_{name}"), params_class, found.groups()
        raise StripeError(404, "invalid_request_error",
                          f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs or we "
                          "can help at https://support.stripe.com/.")

    def _replay(self, account, key, method, path, raw):
        stored = self.idempotency.get((account, key))
        if stored is None:
            return None
        if stored[:3] != (method, path, raw):
            raise StripeError(400, "idempotency_error",
                              "Keys for idempotent requests can only be used with the same parameters they were "
                              f"first used with. Try using a key other than '{key}' if you meant to execute a "
                              "different request.")
        return stored[3], stored[4]

    # plain lists, filtered by equal fields --------------------------------------------
    def filtered(self, kind, params, account, url, fields):
        created = created_filter(params.get("created"))
        wanted = {k: params[k] for k in fields if params.get(k) is not None}
        items = self.select(kind, account,
                            lambda o: created(o["created"]) and all(o.get(k) == v for k, v in wanted.items()))
        return self.page(items, params, url, account)

    def api_checkout_session_list(self, params, account):
        return self.filtered("checkout.session", params, account, "/v1/checkout/sessions",
                             ("customer", "payment_intent", "status"))

    def api_customer_list(self, params, account):
        return self.filtered("customer", params, account, "/v1/customers", ("email",))

    def api_payment_intent_list(self, params, account):
        return self.filtered("payment_intent", params, account, "/v1/payment_intents", ("customer",))

    def api_charge_list(self, params, account):
        return self.filtered("charge", params, account, "/v1/charges", ("customer", "payment_intent", "transfer_group"))

    def api_dispute_list(self, params, account):
        return self.filtered("dispute", params, account, "/v1/disputes", ("charge", "payment_intent"))

    def api_account_current(self, params, account):
        if account is None and self.platform_country:
            # The platform's own account, as much of it as the app reads (its country).
            return {"id": "acct_platform", "object": "account", "type": "standard", "country": self.platform_country,
                    "default_currency": self.default_currency, "charges_enabled": True, "payouts_enabled": True}
        if account is None:
            raise invalid("The fake keeps no platform account object without platform_country: send a "
                          "Stripe-Account header.")
        return self.view(self.get(account, "account"), params.get("expand"))

    # events ---------------------------------------------------------------------------
    def api_event_retrieve(self, params, account, event_id):
        return self.view(self.get(event_id, "event", account), params.get("expand"), account)

    def api_event_list(self, params, account):
        created = created_filter(params.get("created"))
        types = params.get("types") or ([params["type"]] if params.get("type") else None)

        def match(event):
            return created(event["created"]) and (types is None or any(fnmatch.fnmatchcase(event["type"], t)
                                                                        for t in types))

        return self.page(self.select("event", account, match), params, "/v1/events", account)
