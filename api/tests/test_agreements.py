"""Agreements through the API: templates (an unknown placeholder is a 400 naming it), rendering and
sending a version, both sides signing (a stale hash, a second signature: 409), the PDF, and a
workspace that requires a signed agreement refusing the brief's acknowledgement and funding."""

import io

import pytest
from pypdf import PdfReader

from engagements.models import AgreementSignature
from engagements.selectors import current_brief
from engagements.services.brief import brief_save
from engagements.services.lifecycle import engagement_create, engagement_offer
from engagements.services.milestone import milestone_create

BRIEF = {"goal": "A faster checkout.", "deliverables": "A React component.", "acceptance_criteria": "Three steps."}


@pytest.fixture
def engagement(workspace, owner, freelancer):
    engagement = engagement_create(workspace=workspace, created_by=owner, freelancer=freelancer,
                                   title="Checkout redesign", budget=200000, currency="EUR")
    brief_save(engagement=engagement, actor=owner, **BRIEF)
    milestone_create(engagement=engagement, actor=owner, title="Checkout flow", acceptance_criteria="As briefed.",
                     amount=75000)
    engagement_offer(engagement=engagement, actor=owner)
    return engagement


def _issue(owner_api, engagement, **body):
    response = owner_api.post(f"/api/v1/engagements/{engagement.pk}/agreements/", {"send": True, **body},
                              format="json")
    assert response.status_code == 201, response.content
    return response.json()


def _sign(api, agreement, name, sha=None):
    return api.post(f"/api/v1/agreements/{agreement['id']}/sign/", {
        "full_name": name, "agree": True, "document_sha256": sha or agreement["document_sha256"]}, format="json")


def test_an_unknown_placeholder_is_400_naming_it(owner_api):
    response = owner_api.post("/api/v1/agreement-templates/", {
        "name": "Short", "body": "Between {{client_name}} and {{ settings.SECRET_KEY }}."}, format="json")
    assert response.status_code == 400
    assert "{{settings.SECRET_KEY}}" in response.json()["body"][0]
    ok = owner_api.post("/api/v1/agreement-templates/", {"name": "Short", "body": "Between {{client_name}}."},
                        format="json")
    assert ok.status_code == 201 and ok.json()["is_default"] is True
    listed = owner_api.get("/api/v1/agreement-templates/").json()
    assert listed["count"] == 1 and listed["results"][0]["name"] == "Short"


def test_both_sides_sign_through_the_api_and_get_the_pdf(owner_api, freelancer_api, engagement):
    agreement = _issue(owner_api, engagement)
    assert agreement["status"] == "sent" and agreement["version"] == 1
    seen = freelancer_api.get(f"/api/v1/engagements/{engagement.pk}/agreements/").json()
    assert [a["id"] for a in seen["results"]] == [agreement["id"]]

    stale = _sign(freelancer_api, agreement, "Fred Freelancer", sha="a" * 64)
    assert stale.status_code == 409 and "not the current document" in stale.json()["detail"]
    wrong = _sign(freelancer_api, agreement, "Fred Someone")
    assert wrong.status_code == 400 and "Fred Freelancer" in wrong.json()["full_name"][0]

    assert _sign(freelancer_api, agreement, "fred freelancer").status_code == 200
    again = _sign(freelancer_api, agreement, "Fred Freelancer")
    assert again.status_code == 409 and "already signed" in again.json()["detail"]
    done = _sign(owner_api, agreement, "Olivia Owner")
    assert done.status_code == 200
    body = done.json()
    assert body["status"] == "signed"
    assert {(s["role"], s["name"]) for s in body["signatures"]} == {("owner", "Olivia Owner"),
                                                                    ("freelancer", "fred freelancer")}

    pdf = freelancer_api.get(f"/api/v1/agreements/{agreement['id']}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    flat = " ".join(text.split())
    assert "Olivia Owner" in flat and "fred freelancer" in flat
    assert agreement["document_sha256"] in flat.replace(" ", "")
    assert "2,000.00 EUR" in flat and "750.00 EUR" in flat


def test_a_new_version_needs_both_signatures_again(owner_api, freelancer_api, engagement):
    first = _issue(owner_api, engagement)
    _sign(owner_api, first, "Olivia Owner")
    _sign(freelancer_api, first, "Fred Freelancer")
    second = _issue(owner_api, engagement)
    assert second["version"] == 2 and second["status"] == "sent" and second["signatures"] == []
    assert owner_api.get(f"/api/v1/agreements/{first['id']}/").json()["status"] == "superseded"
    late = _sign(freelancer_api, first, "Fred Freelancer")
    assert late.status_code == 409
    assert AgreementSignature.objects.count() == 2


def test_drafts_are_the_owners_and_sent_once(owner_api, freelancer_api, engagement):
    draft = owner_api.post(f"/api/v1/engagements/{engagement.pk}/agreements/", {}, format="json").json()
    assert draft["status"] == "draft"
    assert freelancer_api.get(f"/api/v1/agreements/{draft['id']}/").status_code == 404
    assert freelancer_api.post(f"/api/v1/agreements/{draft['id']}/send/").status_code == 404
    assert owner_api.post(f"/api/v1/agreements/{draft['id']}/send/").json()["status"] == "sent"
    assert owner_api.post(f"/api/v1/agreements/{draft['id']}/send/").status_code == 409


def test_a_required_agreement_blocks_acknowledgement_and_funding_until_signed(
        owner_api, freelancer_api, engagement, workspace):
    assert freelancer_api.patch("/api/v1/agreement-settings/", {"requires_signed_agreement": True},
                                format="json").status_code == 404
    response = owner_api.patch("/api/v1/agreement-settings/", {"requires_signed_agreement": True}, format="json")
    assert response.json() == {"requires_signed_agreement": True, "notice_days": 14,
                               "governing_law": "the laws of the place where the client has its registered office"}
    brief = current_brief(engagement)
    milestone = engagement.milestones.get()
    refused = freelancer_api.post(f"/api/v1/briefs/{brief.pk}/acknowledge/")
    assert refused.status_code == 409
    assert f"/portal/engagements/{engagement.pk}/agreement/" in refused.json()["detail"]
    unfunded = owner_api.post(f"/api/v1/milestones/{milestone.pk}/fund/", HTTP_IDEMPOTENCY_KEY="fund-1")
    assert unfunded.status_code == 409
    assert f"/engagements/{engagement.pk}/agreement/" in unfunded.json()["detail"]

    agreement = _issue(owner_api, engagement)
    _sign(owner_api, agreement, "Olivia Owner")
    assert freelancer_api.post(f"/api/v1/briefs/{brief.pk}/acknowledge/").status_code == 409  # one side is not enough
    _sign(freelancer_api, agreement, "Fred Freelancer")
    assert freelancer_api.post(f"/api/v1/briefs/{brief.pk}/acknowledge/").status_code == 200
    assert owner_api.post(f"/api/v1/milestones/{milestone.pk}/fund/", HTTP_IDEMPOTENCY_KEY="fund-2").status_code == 200
