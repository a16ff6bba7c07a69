"""Checkout Sessions in payment mode, and what the payer does on the hosted page."""

from .store import invalid

_METHODS = ("card", "sepa_debit", "us_bank_account")


class CheckoutMixin:
    def api_checkout_session_create(self, params, account):
        if params.get("mode") != "payment":
            raise invalid("The fake supports Checkout in mode=payment only.", param="mode")
        lines = self._session_lines(params.get("line_items") or [])
        customer = params.get("customer")
        if customer:
            self.get(customer, "customer", account, param="customer")
        # API 2026-10-28 names the choice allowed_payment_method_types; the session shows both.
        methods = params.get("allowed_payment_method_types") or ["card"]
        for method in methods:
            if method not in _METHODS:
                raise invalid(f"The payment method type `{method}` is not supported by the fake.",
                              param="allowed_payment_method_types")
        expires_at = params.get("expires_at", self.now() + 86_400)
        if not self.now() + 1_800 <= expires_at <= self.now() + 86_400:
            raise invalid("The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout "
                          "Session creation.", param="expires_at")
        total = sum(line["amount_total"] for line in lines)
        self._chargeable(total, lines[0]["currency"], param="line_items")
        pi_data = params.get("payment_intent_data") or {}
        session = self.base(
            "cs_test", "checkout.session", account, after_expiration=None, allow_promotion_codes=None,
            allowed_payment_method_types=list(methods),
            amount_subtotal=total, amount_total=total,
            automatic_tax={"enabled": False, "liability": None, "provider": None, "status": None},
            billing_address_collection=None, cancel_url=params.get("cancel_url"),
            client_reference_id=params.get("client_reference_id"), client_secret=None,
            currency=lines[0]["currency"], custom_fields=[],
            custom_text={"after_submit": None, "shipping_address": None, "submit": None,
                         "terms_of_service_acceptance": None}, customer=customer,
            customer_creation=None if customer else params.get("customer_creation", "if_required"),
            customer_details=None, customer_email=params.get("customer_email"),
            expires_at=expires_at, invoice=None, locale=params.get("locale"),
            metadata=dict(params.get("metadata") or {}), mode="payment", payment_intent=None, payment_link=None,
            payment_method_collection="if_required", payment_method_types=methods, payment_status="unpaid",
            setup_intent=None, shipping_options=[], status="open", submit_type=params.get("submit_type"),
            subscription=None,
            success_url=params.get("success_url"),
            total_details={"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0}, ui_mode="hosted", url=None)
        session["url"] = f"{self.base_url}/pay/{session['id']}"
        self.session_extras[session["id"]] = {"lines": lines, "pi_data": pi_data}
        return self.view(session, params.get("expand"), account)

    def _session_lines(self, items):
        if not items:
            raise invalid("line_items is required in payment mode.", param="line_items", code="parameter_missing")
        lines = []
        for index, item in enumerate(items):
            price = item.get("price_data")
            if not price:
                raise invalid("The fake supports line_items with price_data only.", param=f"line_items[{index}][price]")
            if price.get("unit_amount") is None:
                raise invalid("Missing required param: unit_amount.",
                              param=f"line_items[{index}][price_data][unit_amount]", code="parameter_missing")
            quantity = item.get("quantity", 1)
            currency = price["currency"].lower()
            lines.append({"id": self.new_id("li"), "object": "item", "amount_discount": 0, "amount_tax": 0,
                          "amount_subtotal": price["unit_amount"] * quantity,
                          "amount_total": price["unit_amount"] * quantity, "currency": currency,
                          "description": (price.get("product_data") or {}).get("name"), "quantity": quantity})
        if len({line["currency"] for line in lines}) > 1:
            raise invalid("All line items must have the same currency.", param="line_items")
        return lines

    def api_checkout_session_retrieve(self, params, account, session_id):
        session = self.get(session_id, "checkout.session", account)
        expand = [p for p in params.get("expand") or () if p != "line_items"]
        out = self.view(session, expand, account)
        if "line_items" in (params.get("expand") or ()):  # includable, not an id
            out["line_items"] = self.api_checkout_session_line_items({}, account, session_id)
        return out

    def api_checkout_session_expire(self, params, account, session_id):
        session = self.get(session_id, "checkout.session", account)
        if session["status"] != "open":
            raise invalid('Only Checkout Sessions with a status in ["open"] can be expired.', param="session")
        self._expire(session)
        return self.view(session, params.get("expand"), account)

    def api_checkout_session_line_items(self, params, account, session_id):
        self.get(session_id, "checkout.session", account)
        lines = self.session_extras[session_id]["lines"]
        return {"object": "list", "data": lines, "has_more": False,
                "url": f"/v1/checkout/sessions/{session_id}/line_items"}

    def _expire(self, session):
        session.update(status="expired", url=None)
        self.emit("checkout.session.expired", session)

    def _session_intent(self, session, customer, method):
        """One PaymentIntent per session, made at the first attempt and reused after a decline."""
        extras = self.session_extras[session["id"]]
        if extras.get("pi"):
            pi = self.objects[extras["pi"]]
            pi["payment_method_types"] = [method]
            return pi
        pi_data = extras["pi_data"]
        pi = self.payment_intent(self.owner[session["id"]], session["amount_total"], session["currency"],
                                 customer=customer, metadata=pi_data.get("metadata"),
                                 transfer_group=pi_data.get("transfer_group"), description=pi_data.get("description"),
                                 setup_future_usage=pi_data.get("setup_future_usage"), payment_method_types=[method])
        extras["pi"] = pi["id"]
        self.session_of_pi[pi["id"]] = session["id"]
        return pi

    def expire_due_sessions(self):
        """Stripe expires open sessions at their `expires_at`; call after moving the clock on
        → the sessions expired now."""
        with self.lock:
            due = [session for account in {None, *self.owner.values()}
                   for session in self.select("checkout.session", account,
                                              lambda s: s["status"] == "open" and s["expires_at"] <= self.now())]
            for session in due:
                self._expire(session)
            return due

    def abandon_checkout(self, session_id):
        """The payer walks away: the session expires (checkout.session.expired)."""
        with self.lock:
            session = self.objects[session_id]
            if session["status"] != "open":
                raise ValueError(f"{session_id} is {session['status']}")
            self._expire(session)
            return session

    def complete_checkout(self, session_id, method="card", *, decline=None, email="payer@example.com"):
        """The payer pays on the hosted page. Card: paid at once. sepa_debit / us_bank_account:
        the session completes unpaid and the PaymentIntent is processing until `settle()`.
        `decline="generic_decline"` makes the card decline: the session stays open and the
        StripeError is returned instead of the session."""
        with self.lock:
            session = self.objects[session_id]
            if session["status"] != "open":
                raise ValueError(f"{session_id} is {session['status']}, not open")
            if method not in session["payment_method_types"]:
                raise ValueError(f"{method} is not offered by {session_id}")
            account = self.owner[session_id]
            pi_data = self.session_extras[session_id]["pi_data"]
            customer = session["customer"]
            if customer is None and (session["customer_creation"] == "always" or pi_data.get("setup_future_usage")):
                customer = self.api_customer_create({"email": session["customer_email"] or email}, account)["id"]
            pm = self.payment_method(method, customer if pi_data.get("setup_future_usage") else None, account,
                                     decline=decline)
            pi = self._session_intent(session, customer, method)
            error = self.pay_intent(pi, pm)
            if error is not None:
                return error
            session.update(status="complete", customer=customer, payment_intent=pi["id"], url=None,
                           payment_status="paid" if pi["status"] == "succeeded" else "unpaid",
                           customer_details={"address": None, "email": session["customer_email"] or email,
                                             "name": None, "phone": None, "tax_exempt": "none", "tax_ids": []})
            self.emit("checkout.session.completed", session)
            return session
