"""Express connected accounts, their onboarding links, and the onboarding itself (what the
freelancer does on Stripe's hosted pages), ending in account.updated."""

import copy

from .store import invalid

_EURO = {"AT", "BE", "CY", "DE", "EE", "ES", "FI", "FR", "GR", "HR", "IE", "IT", "LT", "LU", "LV", "MT", "NL",
         "PT", "SI", "SK"}
_EUROPE_OTHER = {"BG", "CH", "CZ", "DK", "GB", "HU", "IS", "LI", "NO", "PL", "RO", "SE"}
_OTHER = {"US": "usd", "GB": "gbp", "CA": "cad", "AU": "aud", "CH": "chf", "SE": "sek", "DK": "dkk",
          "NO": "nok", "PL": "pln", "JP": "jpy", "NZ": "nzd", "SG": "sgd"}
_DUE = ["business_type", "external_account", "individual.first_name", "individual.last_name", "tos_acceptance.date",
        "tos_acceptance.ip"]


def _requirements(due, reason):
    return {"alternatives": [], "current_deadline": None, "currently_due": list(due), "disabled_reason": reason,
            "errors": [], "eventually_due": list(due), "past_due": list(due), "pending_verification": []}


class AccountsMixin:
    def api_account_create(self, params, account):
        if account:
            raise invalid("Connected accounts are created by the platform.")
        country = params.get("country", self.platform_country or "US").upper()
        currency = "eur" if country in _EURO else _OTHER.get(country, "usd")
        requested = [name for name, spec in (params.get("capabilities") or {}).items() if spec.get("requested")]
        if params.get("type") not in (None, "express"):
            raise invalid("The fake supports Express accounts (type=express) only.", param="type")
        tos = params.get("tos_acceptance") or {}
        self._check_agreement(country, tos.get("service_agreement", "full"), requested)
        created = self.base(
            "acct", "account", None, business_profile=dict(params.get("business_profile") or {}),
            business_type=params.get("business_type"), capabilities={name: "inactive" for name in requested},
            charges_enabled=False,
            controller={"fees": {"payer": "application"}, "is_controller": True, "losses": {"payments": "application"},
                        "requirement_collection": "stripe", "stripe_dashboard": {"type": "express"},
                        "type": "application"},
            country=country, default_currency=currency, details_submitted=False, email=params.get("email"),
            external_accounts={"object": "list", "data": [], "has_more": False, "total_count": 0, "url": ""},
            future_requirements=_requirements([], None), metadata=dict(params.get("metadata") or {}),
            payouts_enabled=False, requirements=_requirements(_DUE, "requirements.past_due"),
            settings={"payouts": {"debit_negative_balances": True, "schedule": {"delay_days": 2, "interval": "daily"},
                                  "statement_descriptor": None}},
            tos_acceptance={"date": None, "ip": None, "service_agreement": tos.get("service_agreement", "full"),
                            "user_agent": None},
            type="express")
        created["external_accounts"]["url"] = f"/v1/accounts/{created['id']}/external_accounts"
        return self.view(created, params.get("expand"))

    def _check_agreement(self, country, agreement, requested):
        """Stripe's cross-border rule: an account in another country than the platform (outside
        Europe's single area) is possible only under the recipient service agreement, and a
        recipient account cannot take card payments."""
        if self.platform_country is None:
            return
        europe = _EURO | _EUROPE_OTHER
        same_area = country == self.platform_country or {country, self.platform_country} <= europe
        if not same_area and agreement != "recipient":
            raise invalid(f"Connected accounts in {country} cannot be created by a platform in {self.platform_country} "
                          "under the full service agreement; use tos_acceptance[service_agreement]=recipient.",
                          param="tos_acceptance[service_agreement]")
        if agreement == "recipient" and "card_payments" in requested:
            raise invalid("Accounts under the recipient service agreement cannot request the card_payments "
                          "capability.", param="capabilities[card_payments]")

    def api_account_retrieve(self, params, account, account_id):
        if account not in (None, account_id):
            raise invalid(f"The provided key does not have access to account '{account_id}'.", code="account_invalid")
        return self.view(self.get(account_id, "account"), params.get("expand"))

    def api_account_list(self, params, account):
        return self.page(self.select("account", None), params, "/v1/accounts")

    def api_account_link_create(self, params, account):
        target = self.get(params["account"], "account", param="account")
        token = self.new_id("link", 20)[6:]
        created = self.now()
        self.links[token] = {"account": target["id"], "refresh_url": params.get("refresh_url"),
                             "return_url": params.get("return_url"), "type": params["type"],
                             "expires_at": created + 300, "used": False}
        return {"object": "account_link", "created": created, "expires_at": created + 300,
                "url": f"{self.base_url}/setup/{token}"}

    def complete_onboarding(self, account_id):
        """The freelancer finishes Stripe's onboarding: details submitted, a bank account added,
        requested capabilities active, payouts enabled; account.updated (a Connect event)."""
        with self.lock:
            acct = self.get(account_id, "account")
            previous = {k: copy.deepcopy(acct[k]) for k in ("capabilities", "charges_enabled", "details_submitted",
                                                            "payouts_enabled", "requirements")}
            bank = {"id": self.new_id("ba"), "object": "bank_account", "account": account_id,
                    "account_holder_name": None, "bank_name": "STRIPE TEST BANK", "country": acct["country"],
                    "currency": acct["default_currency"], "default_for_currency": True, "last4": "6789",
                    "status": "new"}
            acct["external_accounts"].update(data=[bank], total_count=1)
            acct.update(capabilities={k: "active" for k in acct["capabilities"]}, details_submitted=True,
                        charges_enabled="card_payments" in acct["capabilities"], payouts_enabled=True,
                        requirements=_requirements([], None))
            self.emit("account.updated", acct, account=account_id, previous=previous)
            return acct

    def restrict_account(self, account_id, due=("individual.verification.document",)):
        """Stripe needs more information: payouts and transfers stop until it is given."""
        with self.lock:
            acct = self.get(account_id, "account")
            previous = {k: copy.deepcopy(acct[k]) for k in ("capabilities", "payouts_enabled", "requirements")}
            acct.update(capabilities={k: "inactive" for k in acct["capabilities"]}, payouts_enabled=False,
                        requirements=_requirements(due, "requirements.past_due"))
            self.emit("account.updated", acct, account=account_id, previous=previous)
            return acct

    def use_account_link(self, token):
        """The onboarding page opened: → the link, or None when unknown, used or expired (then the
        page sends the user to refresh_url like Stripe does)."""
        link = self.links.get(token)
        if link is None or link["used"] or link["expires_at"] < self.now():
            return None
        return link
