"""The payments endpoints of the REST API, per role: owner, manager, the engagement's
freelancer, another workspace, anonymous."""

import pytest
import yaml
from rest_framework.test import APIClient

from api.models import IdempotencyKey
from engagements.models import MilestoneState
from payments import services
from payments.models import Transaction
from payments.tests.conftest import fund, new_key, submit
from payments.tests.factories import EngagementFactory, MilestoneFactory

from .conftest import post

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


def test_a_huge_id_is_404(owner_api):
    assert post(owner_api, f"/milestones/{2**64}/fund/").status_code == 404
    assert owner_api.get(f"/api/v1/engagements/{2**64}/balance/").status_code == 404


def test_the_ledger_refuses_the_action_again_even_if_the_api_record_is_gone(owner_api, milestone):
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

        paths = yaml.safe_load(schema.content)["paths"]
    fund_op = paths["/api/v1/milestones/{id}/fund/"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in fund_op["parameters"])
    assert {"200", "400", "401", "404", "409", "422"} <= set(fund_op["responses"])
    assert "/api/v1/engagements/{id}/balance/" in paths


def test_funding_through_the_api_is_the_same_service(owner_api, make_milestone, owner):
    m = make_milestone()
    fund(m, owner)
    assert post(owner_api, f"/milestones/{m.pk}/fund/").status_code == 409
