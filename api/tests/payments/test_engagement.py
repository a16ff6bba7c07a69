"""The payments endpoints of the REST API, per role: owner, manager, the engagement's
freelancer, another workspace, anonymous."""

import pytest

from payments import services
from payments.models import BudgetChange, Transaction
from payments.tests.conftest import new_key

from .conftest import post

pytestmark = pytest.mark.django_db


def test_release_and_the_balance(owner_api, submitted, engagement):
    response = post(owner_api, f"/milestones/{submitted.pk}/release/")
    assert response.status_code == 200
    assert response.json()["milestone"]["state"] == "released"
    balance = owner_api.get(f"/api/v1/engagements/{engagement.pk}/balance/").json()
    assert {k: balance[k] for k in ("budget", "contingency", "funded", "in_escrow", "released", "refunded",
                                    "paid_out", "remaining")} == {
        "budget": 1_000_000, "contingency": 150_000, "funded": 150_000, "in_escrow": 0, "released": 150_000,
        "refunded": 0, "paid_out": 0, "remaining": 1_000_000,
    }
    assert balance["currency"] == "USD" and balance["owed"] == 150_000


def test_ledger_lists_transactions_with_entries_paginated(owner_api, submitted, owner, engagement):
    services.milestone_release(milestone=submitted, actor=owner, idempotency_key=new_key())
    body = owner_api.get(f"/api/v1/engagements/{engagement.pk}/ledger/?page_size=1").json()
    assert body["count"] == 2 and body["next"]
    first = body["results"][0]
    assert first["kind"] == "fund" and first["actor"] == owner.email
    assert sum(e["amount"] for e in first["entries"]) == 0
    assert {e["account"] for e in first["entries"]} == {"owner_funding", "escrow"}


def test_the_owner_adds_a_bonus_once_per_key_and_bad_input_is_400(owner_api, engagement, freelancer):
    url = f"/engagements/{engagement.pk}/bonuses/"
    first = post(owner_api, url, {"amount": 5_000, "note": "Launched early"}, key="b-1")
    assert first.status_code == 201, first.json()
    assert first.json()["kind"] == "bonus" and sorted(e["amount"] for e in first.json()["entries"]) == [-5_000, 5_000]
    again = post(owner_api, url, {"amount": 5_000, "note": "Launched early"}, key="b-1")
    assert again.status_code == 201 and again.json() == first.json()
    assert post(owner_api, url, {"amount": 6_000, "note": "Launched early"}, key="b-1").status_code == 422
    for bad in ({"amount": 0, "note": "x"}, {"amount": -5, "note": "x"}, {"amount": 5, "note": ""},
                {"amount": 5, "note": "x", "currency": "EUR"}):
        assert post(owner_api, url, bad, key=f"bad-{bad}").status_code == 400, bad
    assert post(owner_api, url, {"amount": 5, "note": "x"}, key=None).status_code == 400
    assert post(owner_api, url, {"amount": 2_000_000, "note": "Too much"}, key="b-2").status_code == 409
    listed = owner_api.get(f"/api/v1{url}").json()
    assert listed["count"] == 1 and listed["results"][0]["memo"] == "Bonus: Launched early"
    assert Transaction.objects.filter(kind="bonus").count() == 1


def test_the_owner_records_a_payout_of_what_is_owed(owner_api, submitted, owner, engagement):
    services.milestone_release(milestone=submitted, actor=owner, idempotency_key=new_key())
    url = f"/engagements/{engagement.pk}/payouts/"
    body = {"amount": 100_000, "method": "bank_transfer", "reference": "BANK-7", "paid_on": "2026-01-05"}
    response = post(owner_api, url, body, key="p-1")
    assert response.status_code == 201, response.json()
    assert {k: response.json()[k] for k in ("amount", "currency", "method", "reference", "paid_on")} == {
        "amount": 100_000, "currency": "USD", "method": "bank_transfer", "reference": "BANK-7",
        "paid_on": "2026-01-05"}
    assert post(owner_api, url, body, key="p-1").json() == response.json()
    assert post(owner_api, url, {**body, "amount": 50_001}, key="p-2").status_code == 409  # 50,000 left
    assert post(owner_api, url, {**body, "amount": 1_000, "method": "carrier pigeon"}, key="p-3").status_code == 400
    card = post(owner_api, url, {**body, "amount": 1_000, "reference": "4111 1111 1111 1111"}, key="p-4")
    assert card.status_code == 400 and "card" in str(card.json())
    assert owner_api.get(f"/api/v1/engagements/{engagement.pk}/balance/").json()["owed"] == 50_000
    assert owner_api.get(f"/api/v1{url}").json()["count"] == 1


def test_only_the_owner_adds_bonuses_and_payouts(manager_api, freelancer_api, outsider_api, engagement):
    for client in (manager_api, freelancer_api, outsider_api):
        assert post(client, f"/engagements/{engagement.pk}/bonuses/", {"amount": 5, "note": "x"}).status_code == 404
        assert post(client, f"/engagements/{engagement.pk}/payouts/", {
            "amount": 5, "method": "paypal", "reference": "R", "paid_on": "2026-01-05"}, key="k-2").status_code == 404
    assert manager_api.get(f"/api/v1/engagements/{engagement.pk}/payouts/").status_code == 200
    for client in (freelancer_api, outsider_api):
        assert client.get(f"/api/v1/engagements/{engagement.pk}/bonuses/").status_code == 404
        assert client.get(f"/api/v1/engagements/{engagement.pk}/payouts/").status_code == 404
    assert Transaction.objects.count() == 0


def test_the_budget_changes_with_a_reason_and_patch_refuses_once_money_moved(owner_api, manager_api, funded,
                                                                             engagement):
    url = f"/api/v1/engagements/{engagement.pk}/budget/"
    raised = owner_api.post(url, {"budget": 2_000_000, "reason": "Extra page agreed"}, format="json")
    assert raised.status_code == 200 and raised.json()["budget"] == 2_000_000
    assert owner_api.post(url, {"budget": 3_000_000}, format="json").status_code == 400  # no reason
    low = owner_api.post(url, {"budget": 100_000, "reason": "Cut"}, format="json")
    assert low.status_code == 400 and "1,500.00 USD is already committed" in str(low.json())
    assert manager_api.post(url, {"budget": 3_000_000, "reason": "x"}, format="json").status_code == 404
    patched = owner_api.patch(f"/api/v1/engagements/{engagement.pk}/", {"budget": 5}, format="json")
    assert patched.status_code == 400 and "Money page" in str(patched.json()["budget"])
    assert BudgetChange.objects.count() == 1
