"""Transfers to connected accounts (with or without a source charge), their reversals, and the
connected accounts' payouts to their banks."""

from .ledger import DAY
from .store import created_filter, invalid


class TransfersMixin:
    def api_transfer_create(self, params, account):
        if account:
            raise invalid("Transfers are made by the platform, not with a Stripe-Account header.")
        amount, currency = params.get("amount"), params["currency"].lower()
        self._positive_amount(amount)
        destination = self._transfer_destination(params["destination"])
        available_on = self._transfer_source(params.get("source_transaction"), amount, currency)
        transfer = self.base("tr", "transfer", None, amount=amount, amount_reversed=0, balance_transaction=None,
                             currency=currency, description=params.get("description"),
                             destination=destination["id"], destination_payment=None,
                             metadata=dict(params.get("metadata") or {}),
                             reversals={"object": "list", "data": [], "has_more": False, "total_count": 0,
                                        "url": ""},
                             reversed=False, source_transaction=params.get("source_transaction"),
                             source_type=params.get("source_type", "card"),
                             transfer_group=params.get("transfer_group"))
        transfer["reversals"]["url"] = f"/v1/transfers/{transfer['id']}/reversals"
        txn = self.balance_transaction(None, "transfer", -amount, currency, transfer["id"], available_on=available_on)
        transfer["balance_transaction"] = txn["id"]
        payment = self.destination_payment(destination["id"], transfer, available_on)
        transfer["destination_payment"] = payment["id"]
        self.emit("transfer.created", transfer)
        return self.view(transfer, params.get("expand"))

    def _transfer_destination(self, destination_id):
        destination = self.objects.get(destination_id)
        if destination is None or destination["object"] != "account":
            raise invalid(f"No such destination: '{destination_id}'", param="destination", code="resource_missing")
        if destination["capabilities"].get("transfers") != "active":
            raise invalid("Your destination account needs to have at least one of the following capabilities "
                          "enabled: transfers, crypto_transfers, legacy_payments", param="destination",
                          code="insufficient_capabilities_for_transfer")
        return destination

    def _transfer_source(self, charge_id, amount, currency):
        """→ when the debit becomes final: with a source charge, when that charge's funds do;
        without, now — and then the platform's available balance must cover it."""
        if not charge_id:
            if self._available(None, currency) < amount:
                raise self._insufficient()
            return None
        charge = self.objects.get(charge_id)
        if charge is None or charge["object"] != "charge" or self.owner[charge_id] is not None:
            raise invalid(f"No such charge: '{charge_id}'", param="source_transaction", code="resource_missing")
        if charge["status"] != "succeeded" or not charge["balance_transaction"]:
            raise invalid("The source_transaction must be a charge that has succeeded.", param="source_transaction")
        if charge["currency"] != currency:
            raise invalid(f"The currency of source_transaction's balance transaction ({charge['currency']}) must be "
                          f"the same as the transfer currency ({currency})", param="currency")
        used = sum(t["amount"] for t in self.select("transfer", None, lambda t: t["source_transaction"] == charge_id))
        if used + amount > charge["amount"]:
            raise invalid(f"Insufficient funds in source_transaction {charge_id}: the transfers from it would exceed "
                          f"its amount ({charge['amount']}).", param="amount", code="balance_insufficient")
        return self.objects[charge["balance_transaction"]]["available_on"]

    def api_transfer_retrieve(self, params, account, transfer_id):
        return self.view(self.get(transfer_id, "transfer", account), params.get("expand"), account)

    def api_transfer_list(self, params, account):
        created = created_filter(params.get("created"))
        wanted = {k: params[k] for k in ("destination", "transfer_group") if params.get(k)}
        items = self.select("transfer", account,
                            lambda t: created(t["created"]) and all(t[k] == v for k, v in wanted.items()))
        return self.page(items, params, "/v1/transfers", account)

    def api_transfer_reversal_create(self, params, account, transfer_id):
        transfer = self.get(transfer_id, "transfer", account)
        left = transfer["amount"] - transfer["amount_reversed"]
        amount = params.get("amount", left)
        self._positive_amount(amount)
        if amount > left:
            raise invalid(f"You have requested a reversal of {amount}, but only {left} remains on this transfer.",
                          param="amount")
        funds = self.balance_of(transfer["destination"]).get(transfer["currency"], {"available": 0, "pending": 0})
        if funds["available"] + funds["pending"] < amount:
            # The money already left the connected account (paid out to its bank): Stripe refuses.
            raise invalid(f"Insufficient funds in the destination account {transfer['destination']} to reverse "
                          f"{amount} {transfer['currency']}.", param="amount", code="balance_insufficient")
        reversal = self.base("trr", "transfer_reversal", None, amount=amount, balance_transaction=None,
                             currency=transfer["currency"], destination_payment_refund=None,
                             metadata=dict(params.get("metadata") or {}), source_refund=None, transfer=transfer_id)
        # Undoing a movement still pending settles when the movement would have.
        available_on = max(self.now(), self.objects[transfer["balance_transaction"]]["available_on"])
        txn = self.balance_transaction(None, "transfer_refund", amount, transfer["currency"], reversal["id"],
                                       available_on=available_on)
        reversal["balance_transaction"] = txn["id"]
        refund = self.destination_refund(transfer, reversal, available_on)
        reversal["destination_payment_refund"] = refund["id"]
        previous = {"amount_reversed": transfer["amount_reversed"], "reversed": transfer["reversed"]}
        transfer["amount_reversed"] += amount
        transfer["reversed"] = transfer["amount_reversed"] == transfer["amount"]
        transfer["reversals"]["data"].insert(0, reversal)
        transfer["reversals"]["total_count"] += 1
        self.emit("transfer.reversed", transfer, previous=previous)
        return self.view(reversal, params.get("expand"))

    # payouts (automatic, from a connected account's available balance) -------------------
    def run_payouts(self, account_id, *, fail=False, failure_code="account_closed"):
        """Pay out every available balance of a connected account to its bank, as Stripe's
        automatic schedule does → the payouts; `fail=True` makes the bank return them."""
        with self.lock:
            account = self.get(account_id, "account")
            payouts = []
            for currency, sums in sorted(self.balance_of(account_id).items()):
                if sums["available"] > 0:
                    payouts.append(self._payout(account, currency, sums["available"], fail, failure_code))
            return payouts

    def _payout(self, account, currency, amount, fail, failure_code):
        account_id = account["id"]
        members = {t["id"] for t in self.select("balance_transaction", account_id) if t["status"] == "available"}
        bank = (account["external_accounts"]["data"] or [{"id": None}])[0]["id"]
        payout = self.base("po", "payout", account_id, amount=amount, application_fee=None,
                           application_fee_amount=None, arrival_date=self.now() + DAY, automatic=True,
                           balance_transaction=None, currency=currency, description="STRIPE PAYOUT",
                           destination=bank, failure_balance_transaction=None, failure_code=None,
                           failure_message=None, method="standard", original_payout=None,
                           reconciliation_status="completed", reversed_by=None, source_type="card",
                           statement_descriptor=None, status="pending", type="bank_account")
        txn = self.balance_transaction(account_id, "payout", -amount, currency, payout["id"],
                                       description="STRIPE PAYOUT")
        payout["balance_transaction"] = txn["id"]
        self.payout_members[payout["id"]] = members | {txn["id"]}
        self.emit("payout.created", payout, account=account_id)
        if fail:
            back = self.balance_transaction(account_id, "payout_failure", amount, currency, payout["id"],
                                            description="STRIPE PAYOUT FAILURE")
            payout.update(status="failed", failure_code=failure_code, failure_balance_transaction=back["id"],
                          failure_message="The bank account has been closed.")
            self.emit("payout.failed", payout, account=account_id, previous={"status": "pending"})
        else:
            payout["status"] = "paid"
            self.emit("payout.paid", payout, account=account_id, previous={"status": "pending"})
        return payout

    def api_payout_retrieve(self, params, account, payout_id):
        return self.view(self.get(payout_id, "payout", account), params.get("expand"), account)

    def api_payout_list(self, params, account):
        created = created_filter(params.get("created"))
        status = params.get("status")
        items = self.select("payout", account, lambda p: created(p["created"]) and status in (None, p["status"]))
        return self.page(items, params, "/v1/payouts", account)
