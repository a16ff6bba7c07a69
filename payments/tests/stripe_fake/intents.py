"""PaymentIntents (created by Checkout or off-session with a saved method), the slow bank debits'
later settlement, refunds and card disputes."""

import stripe

from .ledger import DAY, DISPUTE_FEE
from .store import created_filter, invalid

# No evidence submitted yet: every field of the package's Dispute.Evidence is null.
_NO_EVIDENCE = dict.fromkeys(stripe.Dispute.Evidence.__annotations__)
_NO_ENHANCED = dict.fromkeys(stripe.Dispute.Evidence.EnhancedEvidence.__annotations__)


class IntentsMixin:
    def payment_intent(self, account, amount, currency, *, customer=None, metadata=None, transfer_group=None,
                       description=None, setup_future_usage=None, payment_method_types=("card",)):
        pi = self.base("pi", "payment_intent", account, amount=amount, amount_capturable=0, amount_received=0,
                       application_fee_amount=None, automatic_payment_methods=None, canceled_at=None,
                       cancellation_reason=None, capture_method="automatic_async", client_secret=None,
                       confirmation_method="automatic", currency=currency, customer=customer,
                       description=description, last_payment_error=None, latest_charge=None,
                       metadata=dict(metadata or {}), next_action=None, on_behalf_of=None, payment_method=None,
                       payment_method_types=list(payment_method_types), processing=None, receipt_email=None,
                       setup_future_usage=setup_future_usage, statement_descriptor=None,
                       status="requires_payment_method",
                       transfer_data=None, transfer_group=transfer_group)
        pi["client_secret"] = f"{pi['id']}_secret_{self.new_id('s', 16)[3:]}"
        self.emit("payment_intent.created", pi)
        return pi

    def pay_intent(self, pi, pm):
        """Charge `pm` for `pi` → None, or the StripeError of a declined card (already recorded)."""
        account = self.owner[pi["id"]]
        pi.update(payment_method=pm["id"], status="processing", last_payment_error=None)
        charge = self.charge_object(account, pi["amount"], pi["currency"], status="pending", payment_intent=pi["id"],
                                    pm=pm, customer=pi["customer"], metadata=pi["metadata"],
                                    transfer_group=pi["transfer_group"], description=pi["description"])
        pi["latest_charge"] = charge["id"]
        decline = self.declines.get(pm["id"])
        if decline:
            self.charge_failed(charge, "card_declined", decline, "Your card was declined.")
            error = self.card_error(pi, charge, decline)
            self.emit("payment_intent.payment_failed", pi)
            return error
        if pm["type"] == "card":
            self.charge_succeeded(charge, "card")
            pi.update(status="succeeded", amount_received=pi["amount"])
            self.emit("payment_intent.succeeded", pi)
            if pm["id"] in self.disputing:
                self.open_dispute(charge["id"])
        else:
            self.emit("charge.pending", charge)
            self.emit("payment_intent.processing", pi)
        return None

    def api_payment_intent_create(self, params, account):
        self._positive_amount(params.get("amount"))
        self._chargeable(params["amount"], params["currency"].lower())
        if params.get("off_session") and not params.get("confirm"):
            raise invalid("off_session can only be used when confirm=true.", param="off_session")
        customer = params.get("customer")
        if customer:
            self.get(customer, "customer", account, param="customer")
        pm = None
        if params.get("payment_method"):
            pm = self._resolve_payment_method(params["payment_method"], customer, account)
        elif params.get("confirm"):
            raise invalid("You cannot confirm this PaymentIntent because it's missing a payment method.",
                          param="payment_method", code="payment_intent_unexpected_state")
        pi = self.payment_intent(account, params["amount"], params["currency"].lower(), customer=customer,
                                 metadata=params.get("metadata"), transfer_group=params.get("transfer_group"),
                                 description=params.get("description"),
                                 setup_future_usage=params.get("setup_future_usage"),
                                 payment_method_types=params.get("allowed_payment_method_types") or ["card"])
        if pm is not None:
            pi.update(payment_method=pm["id"], status="requires_confirmation")
        if params.get("confirm"):
            error = self.pay_intent(pi, pm)
            if error is not None:
                raise error
        return self.view(pi, params.get("expand"), account)

    def api_payment_intent_retrieve(self, params, account, pi_id):
        return self.view(self.get(pi_id, "payment_intent", account), params.get("expand"), account)

    def settle(self, object_id, *, succeeded=True):
        """A slow bank debit (SEPA Direct Debit, ACH) clears or bounces, days after checkout.
        `object_id` is the Checkout Session or the PaymentIntent."""
        with self.lock:
            obj = self.objects[object_id]
            pi = self.objects[obj["payment_intent"]] if obj["object"] == "checkout.session" else obj
            if pi["status"] != "processing":
                raise ValueError(f"{pi['id']} is {pi['status']}, not processing")
            charge = self.objects[pi["latest_charge"]]
            session = self.objects.get(self.session_of_pi.get(pi["id"]))
            if succeeded:
                self.charge_succeeded(charge, self.objects[pi["payment_method"]]["type"])
                pi.update(status="succeeded", amount_received=pi["amount"])
                self.emit("payment_intent.succeeded", pi)
            else:
                self.charge_failed(charge, "insufficient_funds", "insufficient_funds",
                                   "The customer's account has insufficient funds to cover this payment.")
                pi.update(status="requires_payment_method", last_payment_error={
                    "type": "invalid_request_error", "code": "payment_method_insufficient_funds",
                    "message": "The customer's account has insufficient funds to cover this payment."})
                self.emit("payment_intent.payment_failed", pi)
            if session is not None:
                if succeeded:
                    session["payment_status"] = "paid"
                self.emit("checkout.session.async_payment_" + ("succeeded" if succeeded else "failed"), session)
            return pi

    # refunds ---------------------------------------------------------------------------
    def api_refund_create(self, params, account):
        charge = self._refund_charge(params, account)
        left = charge["amount"] - charge["amount_refunded"]
        amount = params.get("amount", left)
        self._positive_amount(amount)
        if charge["disputed"]:
            raise invalid(f"Charge {charge['id']} has been charged back; cannot issue a refund.",
                          code="charge_disputed", param=None)
        if amount > left:
            raise invalid(f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
                          param="amount")
        refund = self.refund_object(account, charge, amount, metadata=params.get("metadata"),
                                    reason=params.get("reason"))
        available_on = max(self.now(), self.objects[charge["balance_transaction"]]["available_on"])
        txn = self.balance_transaction(account, "refund", -amount, charge["currency"], refund["id"],
                                       available_on=available_on)
        refund["balance_transaction"] = txn["id"]
        previous = {"amount_refunded": charge["amount_refunded"], "refunded": charge["refunded"]}
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        self.emit("refund.created", refund)
        self.emit("charge.refunded", charge, previous=previous)
        return self.view(refund, params.get("expand"), account)

    def _refund_charge(self, params, account):
        if params.get("charge"):
            charge = self.get(params["charge"], "charge", account, param="charge")
        elif params.get("payment_intent"):
            pi = self.get(params["payment_intent"], "payment_intent", account, param="payment_intent")
            charge = self.objects.get(pi["latest_charge"]) if pi["latest_charge"] else None
            if charge is None or charge["status"] != "succeeded":
                raise invalid(f"This PaymentIntent ({pi['id']}) does not have a successful charge to refund.",
                              param="payment_intent", code="charge_not_refundable")
        else:
            raise invalid("One of the following params should be provided for this request: payment_intent or charge.",
                          param="charge", code="parameter_missing")
        if charge["status"] != "succeeded":
            raise invalid(f"Charge {charge['id']} has not succeeded and cannot be refunded.", param="charge",
                          code="charge_not_refundable")
        return charge

    def api_refund_retrieve(self, params, account, refund_id):
        return self.view(self.get(refund_id, "refund", account), params.get("expand"), account)

    def api_refund_list(self, params, account):
        created = created_filter(params.get("created"))
        wanted = {k: params[k] for k in ("charge", "payment_intent") if params.get(k)}
        items = self.select("refund", account,
                            lambda r: created(r["created"]) and all(r[k] == v for k, v in wanted.items()))
        return self.page(items, params, "/v1/refunds", account)

    # disputes --------------------------------------------------------------------------
    def open_dispute(self, charge_id, *, reason="fraudulent"):
        """The card holder's bank takes the money back: the charge amount and a 1500 fee leave the
        platform balance; charge.dispute.created and charge.dispute.funds_withdrawn."""
        with self.lock:
            charge = self.get(charge_id, "charge")
            txn = self.balance_transaction(None, "adjustment", -charge["amount"], charge["currency"], None,
                                           fee=DISPUTE_FEE, fee_type="stripe_fee",
                                           description=f"Chargeback withdrawal for {charge_id}")
            dispute = self.base("dp", "dispute", None, amount=charge["amount"], balance_transactions=[],
                                charge=charge_id, currency=charge["currency"], enhanced_eligibility_types=[],
                                evidence=_NO_EVIDENCE | {"enhanced_evidence": dict(_NO_ENHANCED)},
                                evidence_details={"due_by": self.now() + 7 * DAY,
                                                  "enhanced_eligibility": dict(_NO_ENHANCED),
                                                  "has_evidence": False, "past_due": False,
                                                  "submission_count": 0, "submission_method": "not_submitted"},
                                is_charge_refundable=False, payment_intent=charge["payment_intent"],
                                reason=reason, status="needs_response")
            txn["source"] = dispute["id"]
            dispute["balance_transactions"].append(self.view(txn))
            charge["disputed"] = True
            self.emit("charge.dispute.created", dispute)
            self.emit("charge.dispute.funds_withdrawn", dispute)
            return dispute

    def close_dispute(self, dispute_id, outcome):
        """The bank decides: `won` returns the amount (not the fee), `lost` keeps it withdrawn.
        `dispute_id` may also be the disputed charge's id."""
        if outcome not in ("won", "lost"):
            raise ValueError("outcome is 'won' or 'lost'")
        with self.lock:
            dispute = self.objects[dispute_id]
            if dispute["object"] == "charge":  # the disputed charge's id works too
                dispute = self.select("dispute", None, lambda d: d["charge"] == dispute_id)[0]
                dispute_id = dispute["id"]
            previous = {"status": dispute["status"]}
            dispute["status"] = outcome
            if outcome == "won":
                txn = self.balance_transaction(None, "adjustment", dispute["amount"], dispute["currency"],
                                               dispute_id, description=f"Chargeback reversal for {dispute['charge']}")
                dispute["balance_transactions"].append(self.view(txn))
                self.emit("charge.dispute.funds_reinstated", dispute)
            self.emit("charge.dispute.closed", dispute, previous=previous)
            return dispute

    def api_dispute_retrieve(self, params, account, dispute_id):
        return self.view(self.get(dispute_id, "dispute", account), params.get("expand"), account)
