"""Customers, payment methods, charges and the charging step shared by Checkout and off-session
PaymentIntents. Test payment methods work as in Stripe's test mode: `pm_card_visa` succeeds,
`pm_card_chargeDeclined` and `pm_card_chargeDeclinedInsufficientFunds` decline, and
`pm_card_createDispute` succeeds and is disputed at once, and
`fake.decline_payment_method(pm_id)` makes a saved method decline from then on."""

from .ledger import DAY, processing_fee
from .store import StripeError, invalid

_TEST_METHODS = {"pm_card_visa": None, "pm_card_mastercard": None, "pm_card_chargeDeclined": "generic_decline",
                 "pm_card_chargeDeclinedInsufficientFunds": "insufficient_funds", "pm_card_createDispute": None}
_DECLINE_MESSAGE = {"generic_decline": "Your card was declined.",
                    "insufficient_funds": "Your card has insufficient funds."}


def _no_billing_details():
    return {"address": None, "email": None, "name": None, "phone": None, "tax_id": None}


class ChargesMixin:
    def api_customer_create(self, params, account):
        return self.base("cus", "customer", account, address=params.get("address"), balance=0, currency=None,
                         default_source=None, delinquent=False, description=params.get("description"),
                         email=params.get("email"), invoice_prefix=self.new_id("X", 6)[3:].upper(),
                         invoice_settings={"custom_fields": None, "default_payment_method": None, "footer": None,
                                           "rendering_options": None},
                         metadata=dict(params.get("metadata") or {}), name=params.get("name"),
                         phone=params.get("phone"),
                         preferred_locales=[], shipping=None, tax_exempt="none", test_clock=None)

    def api_customer_retrieve(self, params, account, customer_id):
        return self.view(self.get(customer_id, "customer", account), params.get("expand"), account)

    def api_customer_payment_methods(self, params, account, customer_id):
        self.get(customer_id, "customer", account)
        items = self.select("payment_method", account, lambda pm: pm["customer"] == customer_id)
        return self.page(items, params, f"/v1/customers/{customer_id}/payment_methods", account)

    def api_payment_method_retrieve(self, params, account, pm_id):
        return self.view(self.get(pm_id, "payment_method", account), params.get("expand"), account)

    def payment_method(self, method, customer=None, account=None, decline=None):
        details = {"card": {"brand": "visa", "checks": {"cvc_check": "pass"}, "country": "US", "exp_month": 12,
                            "exp_year": 2034, "fingerprint": self.new_id("fp", 12)[5:], "funding": "credit",
                            "last4": "0002" if decline else "4242", "networks": {"available": ["visa"]}},
                   "sepa_debit": {"bank_code": "37040044", "branch_code": None, "country": "DE",
                                  "fingerprint": self.new_id("fp", 12)[5:], "last4": "3000"},
                   "us_bank_account": {"account_holder_type": "individual", "account_type": "checking",
                                       "bank_name": "STRIPE TEST BANK", "last4": "6789", "routing_number": "110000000"}}
        pm = self.base("pm", "payment_method", account, allow_redisplay="unspecified",
                       billing_details=_no_billing_details(),
                       customer=customer, type=method, **{method: details[method]})
        if decline:
            self.declines[pm["id"]] = decline
        return pm

    def decline_payment_method(self, pm_id, decline_code="generic_decline"):
        """From now on, charging this saved method is declined with `decline_code`."""
        self.declines[pm_id] = decline_code

    def _resolve_payment_method(self, pm_id, customer, account):
        if pm_id in _TEST_METHODS and pm_id not in self.objects:
            pm = self.payment_method("card", customer, account, decline=_TEST_METHODS[pm_id])
            if pm_id == "pm_card_createDispute":  # Stripe's test card: charged, then disputed
                self.disputing.add(pm["id"])
            return pm
        pm = self.get(pm_id, "payment_method", account, param="payment_method")
        if customer and pm["customer"] not in (None, customer):
            raise invalid(f"The provided PaymentMethod {pm_id} belongs to another Customer.", param="payment_method")
        return pm

    def api_charge_retrieve(self, params, account, charge_id):
        return self.view(self.get(charge_id, "charge", account), params.get("expand"), account)

    def charge_object(self, account, amount, currency, *, status, payment_intent=None, pm=None, customer=None,
                      metadata=None, transfer_group=None, source_transfer=None, description=None):
        pm_details = None
        if pm is not None:
            pm_details = {"type": pm["type"], pm["type"]: {k: v for k, v in pm[pm["type"]].items()}}
        return self.base("ch" if source_transfer is None else "py", "charge", account, amount=amount,
                         amount_captured=amount if status == "succeeded" else 0, amount_refunded=0,
                         application_fee=None, application_fee_amount=None, balance_transaction=None,
                         billing_details=_no_billing_details(),
                         captured=status == "succeeded", currency=currency, customer=customer,
                         description=description, disputed=False, failure_balance_transaction=None,
                         failure_code=None, failure_message=None, metadata=dict(metadata or {}),
                         on_behalf_of=None, outcome=None, paid=status == "succeeded", payment_intent=payment_intent,
                         payment_method=pm["id"] if pm else None, payment_method_details=pm_details,
                         receipt_url=None, refunded=False, source_transfer=source_transfer, status=status,
                         transfer_data=None, transfer_group=transfer_group)

    def charge_succeeded(self, charge, method):
        """The charge's money lands on the platform (pending for `pending_days`), fee taken."""
        available_on = self.now() + self.pending_days * DAY
        txn = self.balance_transaction(self.owner[charge["id"]], "charge", charge["amount"], charge["currency"],
                                       charge["id"], fee=processing_fee(charge["amount"], method),
                                       available_on=available_on, description=charge["description"])
        charge.update(status="succeeded", paid=True, captured=True, amount_captured=charge["amount"],
                      balance_transaction=txn["id"],
                      outcome={"network_status": "approved_by_network", "reason": None, "risk_level": "normal",
                               "seller_message": "Payment complete.", "type": "authorized"})
        self.emit("charge.succeeded", charge)

    def charge_failed(self, charge, code, decline_code, message):
        charge.update(status="failed", failure_code=code, failure_message=message,
                      outcome={"network_status": "declined_by_network", "reason": decline_code,
                               "risk_level": "normal", "seller_message": "The bank did not return any further details "
                               "with this decline.", "type": "issuer_declined"})
        self.emit("charge.failed", charge)

    def destination_payment(self, account_id, transfer, available_on):
        """The `py_…` payment a transfer creates on the connected account, with its balance transaction."""
        payment = self.charge_object(account_id, transfer["amount"], transfer["currency"], status="succeeded",
                                     source_transfer=transfer["id"], transfer_group=transfer["transfer_group"])
        txn = self.balance_transaction(account_id, "payment", transfer["amount"], transfer["currency"], payment["id"],
                                       available_on=available_on)
        payment["balance_transaction"] = txn["id"]
        return payment

    def destination_refund(self, transfer, reversal, available_on):
        account_id = transfer["destination"]
        payment = self.objects[transfer["destination_payment"]]
        refund = self.refund_object(account_id, payment, reversal["amount"], metadata={}, reason=None)
        txn = self.balance_transaction(account_id, "payment_refund", -reversal["amount"], transfer["currency"],
                                       refund["id"], available_on=available_on)
        refund["balance_transaction"] = txn["id"]
        payment["amount_refunded"] += reversal["amount"]
        payment["refunded"] = payment["amount_refunded"] == payment["amount"]
        return refund

    def refund_object(self, account, charge, amount, *, metadata, reason):
        return self.base("re" if charge["source_transfer"] is None else "pyr", "refund", account, amount=amount,
                         balance_transaction=None, charge=charge["id"], currency=charge["currency"],
                         destination_details=None, metadata=dict(metadata or {}),
                         payment_intent=charge["payment_intent"], reason=reason, receipt_number=None,
                         source_transfer_reversal=None, status="succeeded", transfer_reversal=None)

    def card_error(self, pi, charge, decline_code):
        message = _DECLINE_MESSAGE.get(decline_code, "Your card was declined.")
        error = {"type": "card_error", "code": "card_declined", "decline_code": decline_code, "message": message,
                 "charge": charge["id"], "payment_method": self.objects[pi["payment_method"]]}
        pi.update(status="requires_payment_method", last_payment_error=error)
        return StripeError(402, "card_error", message, code="card_declined", decline_code=decline_code,
                           charge=charge["id"], payment_intent=self.view(pi))
