"""The payments endpoints of the REST API, per role: owner, manager, the engagement's
freelancer, another workspace, anonymous."""

import pytest
from rest_framework.test import APIClient

from engagements.models import MilestoneState
from payments import services
from payments.models import BudgetChange, Transaction

from .conftest import fund, new_key, post, submit
from .factories import EngagementFactory, MilestoneFactory

pytestmark = pytest.mark.django_db


def test_owner_funds_with_an_idempotency_key_and_a_retry_changes_nothing(owner_api, milestone):
    first = post(owner_api, f"/milestones/{milestone.pk}/fund/", {"amount": 150_000, "currency": "USD"})
    assert first.status_code == 200, first.json()
    body = first.json()
    assert body["milestone"]["state"] == "funded" and body["milestone"]["in_escrow"] == 150_000
    assert body["transaction"]["kind"] == "fund"
    assert sorted(e["amount"] for e in body["transaction"]["entries"]) == [-150_000, 150_000]
    again = post(owner_api, f"/milestones/{milestone.pk}/fund/", {"amount": 150_000, "currency": "USD"})
    assert again.status_code == 200 and again.json() == body
    assert again["Idempotent-Replayed"] == "true"
    assert Transaction.objects.count() == 1


def test_the_same_key_with_a_different_body_is_422(owner_api, milestone):
    post(owner_api, f"/milestones/{milestone.pk}/fund/", {"amount": 150_000})
    other = post(owner_api, f"/milestones/{milestone.pk}/fund/", {"amount": 150_001})
    assert other.status_code == 422 and "different request" in other.json()["detail"]


def test_a_money_action_without_a_key_is_400(owner_api, milestone):
    response = post(owner_api, f"/milestones/{milestone.pk}/fund/", key=None)
    assert response.status_code == 400 and "Idempotency-Key" in response.json()
    assert Transaction.objects.count() == 0


def test_funding_twice_is_409_and_a_wrong_amount_or_currency_is_400(owner_api, funded, make_milestone):
    twice = post(owner_api, f"/milestones/{funded.pk}/fund/", key="again")
    assert twice.status_code == 409 and "Funded" in twice.json()["detail"]
    draft = make_milestone()
    assert post(owner_api, f"/milestones/{draft.pk}/fund/", {"amount": 1}, key="a").status_code == 400
    assert post(owner_api, f"/milestones/{draft.pk}/fund/", {"amount": 0}, key="b").status_code == 400
    assert post(owner_api, f"/milestones/{draft.pk}/fund/", {"amount": -5}, key="c").status_code == 400
    mismatch = post(owner_api, f"/milestones/{draft.pk}/fund/", {"currency": "EUR"}, key="d")
    assert mismatch.status_code == 400 and "currency" in mismatch.json()
    assert Transaction.objects.count() == 1


def test_beyond_the_budget_is_409(owner_api, make_milestone):
    big = make_milestone(amount=1_150_001)
    response = post(owner_api, f"/milestones/{big.pk}/fund/")
    assert response.status_code == 409 and "Raise the budget" in response.json()["detail"]


def test_releasing_unsubmitted_or_disputed_work_is_409(owner_api, funded, owner):
    assert post(owner_api, f"/milestones/{funded.pk}/release/", key="r1").status_code == 409
    submit(funded)
    services.milestone_dispute(milestone=funded, actor=owner, reason="x", idempotency_key=new_key())
    response = post(owner_api, f"/milestones/{funded.pk}/release/", key="r2")
    assert response.status_code == 409 and "Disputed" in response.json()["detail"]


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


def test_refund(owner_api, funded):
    response = post(owner_api, f"/milestones/{funded.pk}/refund/", {"reason": "Scope dropped"})
    assert response.status_code == 200 and response.json()["milestone"]["state"] == "refunded"


def test_resolve_must_match_the_escrow(owner_api, submitted, owner):
    services.milestone_dispute(milestone=submitted, actor=owner, reason="Half", idempotency_key=new_key())
    url = f"/milestones/{submitted.pk}/resolve/"
    bad = post(owner_api, url, {"release_amount": 100_000, "refund_amount": 10_000}, key="x1")
    assert bad.status_code == 400 and "release_amount" in bad.json()
    zero = post(owner_api, url, {"release_amount": 0, "refund_amount": 0}, key="x2")
    assert zero.status_code == 400
    ok = post(owner_api, url, {"release_amount": 100_000, "refund_amount": 50_000, "note": "Agreed"}, key="x3")
    assert ok.status_code == 200 and ok.json()["milestone"]["state"] == "split"


def test_a_manager_token_cannot_move_money_but_can_dispute_and_read(manager_api, submitted, engagement):
    for action in ("fund", "release", "refund"):
        assert post(manager_api, f"/milestones/{submitted.pk}/{action}/", key=action).status_code == 404
    assert manager_api.get(f"/api/v1/engagements/{engagement.pk}/balance/").status_code == 200
    assert manager_api.get(f"/api/v1/engagements/{engagement.pk}/ledger/").status_code == 200
    response = post(manager_api, f"/milestones/{submitted.pk}/dispute/", {"reason": "Missing pages"}, key=None)
    assert response.status_code == 200 and response.json()["milestone"]["state"] == "disputed"


def test_a_freelancer_token_may_only_dispute_its_own_milestones(freelancer_api, submitted, engagement, workspace):
    for action in ("fund", "release", "refund", "resolve"):
        assert post(freelancer_api, f"/milestones/{submitted.pk}/{action}/", key=action).status_code == 404
    assert freelancer_api.get(f"/api/v1/engagements/{engagement.pk}/balance/").status_code == 404
    assert freelancer_api.get(f"/api/v1/engagements/{engagement.pk}/ledger/").status_code == 404
    someone_elses = MilestoneFactory(engagement=EngagementFactory(workspace=workspace), state="funded")
    assert post(freelancer_api, f"/milestones/{someone_elses.pk}/dispute/", {"reason": "x"}, key=None).status_code \
        == 404
    response = post(freelancer_api, f"/milestones/{submitted.pk}/dispute/", {"reason": "Unpaid extras"}, key=None)
    assert response.status_code == 200
    assert post(freelancer_api, f"/milestones/{submitted.pk}/dispute/", {"reason": "Again"}, key=None).status_code \
        == 409
    assert Transaction.objects.filter(kind="dispute").count() == 1


def test_a_dispute_needs_a_reason(owner_api, funded):
    assert post(owner_api, f"/milestones/{funded.pk}/dispute/", {}, key=None).status_code == 400


def test_another_workspace_gets_404(outsider_api, submitted, engagement):
    for action in ("fund", "release", "refund", "resolve", "dispute"):
        assert post(outsider_api, f"/milestones/{submitted.pk}/{action}/", {"reason": "x"}, key=action).status_code \
            == 404
    assert outsider_api.get(f"/api/v1/engagements/{engagement.pk}/balance/").status_code == 404
    assert outsider_api.get(f"/api/v1/engagements/{engagement.pk}/ledger/").status_code == 404
    submitted.refresh_from_db()
    assert submitted.state == MilestoneState.SUBMITTED


def test_anonymous_gets_401(submitted, engagement):
    client = APIClient()
    assert client.post(f"/api/v1/milestones/{submitted.pk}/release/", HTTP_IDEMPOTENCY_KEY="k").status_code == 401
    assert client.get(f"/api/v1/engagements/{engagement.pk}/balance/").status_code == 401


def test_ledger_lists_transactions_with_entries_paginated(owner_api, submitted, owner, engagement):
    services.milestone_release(milestone=submitted, actor=owner, idempotency_key=new_key())
    body = owner_api.get(f"/api/v1/engagements/{engagement.pk}/ledger/?page_size=1").json()
    assert body["count"] == 2 and body["next"]
    first = body["results"][0]
    assert first["kind"] == "fund" and first["actor"] == owner.email
    assert sum(e["amount"] for e in first["entries"]) == 0
    assert {e["account"] for e in first["entries"]} == {"owner_funding", "escrow"}


def test_a_huge_id_is_404(owner_api):
    assert post(owner_api, f"/milestones/{2**64}/fund/").status_code == 404
    assert owner_api.get(f"/api/v1/engagements/{2**64}/balance/").status_code == 404


def test_the_ledger_refuses_the_action_again_even_if_the_api_record_is_gone(owner_api, milestone):
    from api.models import IdempotencyKey

    post(owner_api, f"/milestones/{milestone.pk}/fund/", {"amount": 150_000}, key="long-lived")
    IdempotencyKey.objects.all().delete()  # purged after 48 h
    again = post(owner_api, f"/milestones/{milestone.pk}/fund/", {"amount": 150_000}, key="long-lived")
    assert again.status_code == 200
    assert Transaction.objects.count() == 1


def test_fund_in_the_schema(owner_api):
    schema = owner_api.get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"] if schema["Content-Type"].startswith("application/json") else None
    if paths is None:  # YAML by default
        import yaml

        paths = yaml.safe_load(schema.content)["paths"]
    fund_op = paths["/api/v1/milestones/{id}/fund/"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in fund_op["parameters"])
    assert {"200", "400", "401", "404", "409", "422"} <= set(fund_op["responses"])
    assert "/api/v1/engagements/{id}/balance/" in paths


def test_funding_through_the_api_is_the_same_service(owner_api, make_milestone, owner):
    m = make_milestone()
    fund(m, owner)
    assert post(owner_api, f"/milestones/{m.pk}/fund/").status_code == 409


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
