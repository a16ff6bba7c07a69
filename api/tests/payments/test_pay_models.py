"""The retainer and commission pay models through the REST API: the engagement takes the pay
terms with their figures (errors named), the periods and reports answer API.md's shapes, each
side acts only as allowed (others 404), money actions take an Idempotency-Key."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from payments.models import Transaction
from payments.reminders.pay_models import pay_models_sweep
from payments.tests.factories import EngagementFactory, FreelancerFactory

from .conftest import client_for, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def retainer(workspace, freelancer, time_machine):
    time_machine.move_to(datetime(2026, 2, 10, 9, 0, tzinfo=UTC), tick=False)
    return EngagementFactory(workspace=workspace, freelancer=freelancer, pay_terms="retainer", retainer_amount=250_000,
                             retainer_hours=12, starts_on=date(2026, 2, 1))


@pytest.fixture
def seller(workspace, freelancer, time_machine):
    time_machine.move_to(datetime(2026, 3, 10, 9, 0, tzinfo=UTC), tick=False)
    return EngagementFactory(workspace=workspace, freelancer=freelancer, pay_terms="commission",
                             commission_percent=Decimal("7.5"))


def test_the_engagement_takes_the_new_pay_terms_and_names_bad_figures(owner_api, engagement):
    url = f"/api/v1/engagements/{engagement.pk}/"
    bad = owner_api.patch(url, {"pay_terms": "retainer", "retainer_amount": 0, "retainer_hours": -1}, format="json")
    assert bad.status_code == 400 and {"retainer_amount", "retainer_hours"} <= set(bad.json())
    missing = owner_api.patch(url, {"pay_terms": "commission"}, format="json")
    assert missing.status_code == 400 and "commission_percent" in missing.json()
    over = owner_api.patch(url, {"pay_terms": "commission", "commission_percent": "100.5"}, format="json")
    assert over.status_code == 400 and "commission_percent" in over.json()
    ok = owner_api.patch(url, {"pay_terms": "retainer", "retainer_amount": 180_000, "retainer_hours": 0}, format="json")
    assert ok.status_code == 200, ok.json()
    body = ok.json()
    assert (body["pay_terms"], body["retainer_amount"], body["retainer_hours"], body["retainer_period"],
            body["commission_percent"]) == ("retainer", 180_000, 0, "month", None)


def test_retainer_periods_dispute_and_resolve(owner_api, freelancer_api, outsider_api, workspace, retainer):
    pay_models_sweep()
    listed = freelancer_api.get(f"/api/v1/engagements/{retainer.pk}/retainer-periods/")
    assert listed.status_code == 200
    [period] = listed.json()["results"]
    assert {k: period[k] for k in ("starts_on", "ends_on", "amount", "currency", "hours_included", "hours_used",
                                   "state")} == {
        "starts_on": "2026-02-01", "ends_on": "2026-02-28", "amount": 250_000, "currency": "USD",
        "hours_included": 12, "hours_used": "0.00", "state": "funded"}
    assert outsider_api.get(f"/api/v1/engagements/{retainer.pk}/retainer-periods/").status_code == 404
    other = FreelancerFactory(workspace=workspace)
    other_api = client_for(other.user, workspace, "freelancer", other)
    assert other_api.post(f"/api/v1/retainer-periods/{period['id']}/dispute/", {"reason": "x"},
                          format="json").status_code == 404
    assert freelancer_api.post(f"/api/v1/retainer-periods/{period['id']}/dispute/", {},
                               format="json").status_code == 400
    disputed = freelancer_api.post(f"/api/v1/retainer-periods/{period['id']}/dispute/", {"reason": "Holiday"},
                                   format="json")
    assert disputed.status_code == 200 and disputed.json()["state"] == "disputed"
    resolve = f"/retainer-periods/{period['id']}/resolve/"
    assert post(freelancer_api, resolve, {"release_amount": 250_000, "refund_amount": 0}).status_code == 404
    assert post(owner_api, resolve, {"release_amount": 250_000, "refund_amount": 0}, key=None).status_code == 400
    wrong = post(owner_api, resolve, {"release_amount": 1, "refund_amount": 1})
    assert wrong.status_code == 400 and "release_amount" in wrong.json()
    done = post(owner_api, resolve, {"release_amount": 50_000, "refund_amount": 200_000}, key="r-2")
    assert done.status_code == 200 and done.json()["state"] == "split"
    assert post(owner_api, resolve, {"release_amount": 50_000, "refund_amount": 200_000}, key="r-2").json() == (
        done.json())
    assert Transaction.objects.filter(kind="resolve").count() == 1


def _enum_values(schema, node):
    if "$ref" in node:
        return _enum_values(schema, schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]])
    values = set(node.get("enum", ()))
    for key in ("oneOf", "anyOf", "allOf"):
        for child in node.get(key, ()):
            values |= _enum_values(schema, child)
    return values


def test_a_period_never_disputed_answers_a_dispute_side_its_schema_allows(owner_api, retainer):
    # Found by schemathesis (ST108): `"dispute_side": ""` was not among the documented values.
    pay_models_sweep()
    [period] = owner_api.get(f"/api/v1/engagements/{retainer.pk}/retainer-periods/").json()["results"]
    schema = owner_api.get("/api/v1/schema/", {"format": "json"}).json()
    side = schema["components"]["schemas"]["RetainerPeriod"]["properties"]["dispute_side"]

    assert period["dispute_side"] == "" and _enum_values(schema, side) == {"", "owner", "freelancer"}


def test_commission_reports_through_the_api(owner_api, freelancer_api, outsider_api, seller):
    url = f"/api/v1/engagements/{seller.pk}/commission-reports/"
    assert freelancer_api.post(url, {"period": "2026-02-01", "base_amount": 10}, format="json").status_code == 404
    assert outsider_api.post(url, {"period": "2026-02-01", "base_amount": 10}, format="json").status_code == 404
    assert owner_api.post(url, {"period": "2026-02-01", "base_amount": 0}, format="json").status_code == 400
    created = owner_api.post(url, {"period": "2026-02-17", "base_amount": 100_010}, format="json")
    assert created.status_code == 201, created.json()
    report = created.json()
    assert {k: report[k] for k in ("period", "base_amount", "commission_amount", "currency", "status")} == {
        "period": "2026-02-01", "base_amount": 100_010, "commission_amount": 7_501, "currency": "USD",
        "status": "reported"}
    assert freelancer_api.get(url).json()["count"] == 1
    assert owner_api.post(f"/api/v1/commission-reports/{report['id']}/dispute/", {"reason": "x"},
                          format="json").status_code == 404  # the freelancer's action
    disputed = freelancer_api.post(f"/api/v1/commission-reports/{report['id']}/dispute/", {"reason": "Too low"},
                                   format="json")
    assert disputed.status_code == 200 and disputed.json()["status"] == "disputed"
    assert post(freelancer_api, f"/commission-reports/{report['id']}/accept/").status_code == 409
    resolved = post(owner_api, f"/commission-reports/{report['id']}/resolve/", {"note": "Checked the books"})
    assert resolved.status_code == 200 and resolved.json()["status"] == "released"
    settled = owner_api.post(url, {"period": "2026-02-03", "base_amount": 5}, format="json")
    assert settled.status_code == 409 and "settled" in settled.json()["detail"]
    march = owner_api.post(url, {"period": "2026-03-01", "base_amount": 2_000}, format="json").json()
    accepted = post(freelancer_api, f"/commission-reports/{march['id']}/accept/", key="a-1")
    assert accepted.status_code == 200 and accepted.json()["status"] == "released"
    assert owner_api.get(f"/api/v1/engagements/{seller.pk}/balance/").json()["commissions"] == 7_501 + 150
