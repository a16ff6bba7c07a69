"""Invoices through the API (API.md "Agreements, pay models and invoices"): the freelancer keeps
tax details and issues invoices for their payments, the owner sees the workspace's, credit notes
are bounded, and every refusal is a 4xx naming the problem with nothing stored."""

import pytest

from engagements.tests.factories import sign_agreement
from payments import services
from payments.models import Invoice, TaxDetails
from payments.tests.factories import EngagementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def released(workspace, owner, freelancer):
    """A bonus paid to the freelancer on an active engagement: a payment waiting for its invoice."""
    engagement = EngagementFactory(workspace=workspace, freelancer=freelancer, title="Logo", currency="EUR")
    return services.bonus_pay(engagement=engagement, actor=owner, amount=12_000, note="Extra icons",
                              idempotency_key="bonus-1")


def _details(api, **changes):
    body = {"legal_name": "Fred Freelancer SARL", "address": "2 rue Neuve\n75001 Paris", "country": "FR",
            "tax_id": "FR40303265045", "tax_rate": "20.00", **changes}
    return api.patch("/api/v1/me/tax-details/", body, format="json")


def test_tax_details_are_checked_per_country(freelancer_api, owner_api):
    refused = _details(freelancer_api, tax_id="FR123")
    assert refused.status_code == 400 and "FR123" in refused.json()["tax_id"][0]
    assert not TaxDetails.objects.exists()
    saved = _details(freelancer_api)
    assert saved.status_code == 200
    assert saved.json() == {"legal_name": "Fred Freelancer SARL", "address": "2 rue Neuve\n75001 Paris",
                            "country": "FR", "tax_id": "FR40303265045", "tax_rate": "20.00"}
    assert freelancer_api.get("/api/v1/me/tax-details/").json()["tax_id"] == "FR40303265045"
    assert owner_api.get("/api/v1/me/tax-details/").status_code == 404  # the freelancer's own


def test_the_freelancer_issues_and_the_owner_sees_it(freelancer_api, owner_api, outsider_api, released):
    _details(freelancer_api)
    created = freelancer_api.post("/api/v1/invoices/", {"transaction": released.pk}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["kind"] == "invoice" and body["number"].endswith("-0001") and body["total"] == 12_000
    assert body["issuer"]["legal_name"] == "Fred Freelancer SARL" and body["currency"] == "EUR"
    assert body["tax"] == {"rate": "20.00", "reverse_charge": False, "note": "Tax at 20.00 %, included in the amounts.",
                           "amount": 2_000}
    assert body["lines"] == [{"description": "Bonus: Extra icons", "net_amount": 10_000, "amount": 12_000}]
    again = freelancer_api.post("/api/v1/invoices/", {"transaction": released.pk}, format="json")
    assert again.status_code == 409 and body["number"] in again.json()["detail"]
    assert [row["number"] for row in owner_api.get("/api/v1/invoices/").json()["results"]] == [body["number"]]
    assert owner_api.get(f"/api/v1/invoices/{body['id']}/").json()["number"] == body["number"]
    pdf = owner_api.get(f"/api/v1/invoices/{body['id']}/pdf/")
    assert pdf.status_code in (200, 503) and (pdf.status_code == 503 or pdf.content.startswith(b"%PDF"))
    assert outsider_api.get(f"/api/v1/invoices/{body['id']}/").status_code == 404
    assert outsider_api.get("/api/v1/invoices/").json()["results"] == []
    # Only a freelancer token issues.
    assert owner_api.post("/api/v1/invoices/", {"transaction": released.pk}, format="json").status_code == 404


def test_someone_elses_payment_is_404_and_nothing_is_stored(freelancer_api, owner, workspace, released):
    _details(freelancer_api)
    other = EngagementFactory(workspace=workspace)
    theirs = services.bonus_pay(engagement=other, actor=owner, amount=1_000, note="Theirs", idempotency_key="b-2")
    response = freelancer_api.post("/api/v1/invoices/", {"transaction": theirs.pk}, format="json")
    assert response.status_code == 404
    assert not Invoice.objects.exists()


def test_a_credit_note_larger_than_what_is_left_is_400(freelancer_api, owner_api, released):
    _details(freelancer_api)
    invoice = freelancer_api.post("/api/v1/invoices/", {"transaction": released.pk}, format="json").json()
    url = f"/api/v1/invoices/{invoice['id']}/credit-note/"
    assert owner_api.post(url, {"amount": 100, "reason": "No"}, format="json").status_code == 404  # not the issuer
    note = freelancer_api.post(url, {"amount": 2_000, "reason": "Discount"}, format="json")
    assert note.status_code == 201
    assert (note.json()["kind"], note.json()["corrects"], note.json()["total"]) == ("credit_note", invoice["id"], 2_000)
    too_much = freelancer_api.post(url, {"amount": 10_001, "reason": "More"}, format="json")
    assert too_much.status_code == 400 and "At most 100.00 EUR" in too_much.json()["amount"][0]
    assert Invoice.objects.count() == 2
    assert freelancer_api.get(f"/api/v1/invoices/{invoice['id']}/").json()["total"] == 12_000  # never changes


def test_self_billing_applies_once_a_version_with_the_clause_is_signed(owner_api, freelancer_api, released, owner):
    engagement = released.engagement
    changed = owner_api.patch(f"/api/v1/engagements/{engagement.pk}/", {"self_billing_proposed": True}, format="json")
    assert changed.status_code == 200 and changed.json()["self_billing_proposed"] is True
    proposed_only = services.bonus_pay(engagement=engagement, actor=owner, amount=2_000, note="Icons",
                                       idempotency_key="b-2")
    assert not Invoice.objects.exists()  # proposed, not signed: nobody agreed to it in writing yet
    agreement = sign_agreement(engagement, owner)
    assert owner_api.get(f"/api/v1/agreements/{agreement.pk}/").json()["self_billing"] is True
    bonus = services.bonus_pay(engagement=engagement, actor=owner, amount=3_000, note="More", idempotency_key="b-3")
    listed = freelancer_api.get("/api/v1/invoices/").json()["results"]
    assert [(row["transaction"], row["self_billed"]) for row in listed] == [(bonus.pk, True)]
    _details(freelancer_api)
    refused = freelancer_api.post("/api/v1/invoices/", {"transaction": bonus.pk}, format="json")
    assert refused.status_code == 409 and "already invoiced" in refused.json()["detail"]
    # The payments made before the signature are the freelancer's to invoice, as they were then.
    for earlier in (released, proposed_only):
        issued = freelancer_api.post("/api/v1/invoices/", {"transaction": earlier.pk}, format="json")
        assert issued.status_code == 201 and issued.json()["self_billed"] is False
