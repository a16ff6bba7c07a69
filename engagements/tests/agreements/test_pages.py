"""Agreements through the pages: the owner's settings and templates, issuing and signing on the
owner's side, reading and signing in the portal, the PDF, and the pages that wait for a required
agreement (the brief's acknowledgement, a milestone's funding) linking to it."""

import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from accounts.tests.factories import UserFactory
from engagements.models import AgreementSettings, AgreementSignature, AgreementTemplate
from engagements.selectors import current_brief


@pytest.fixture
def portal_client(offered, freelancer):
    user = UserFactory(email=freelancer.email, full_name=freelancer.name)
    freelancer.user = user
    freelancer.save(update_fields=["user"])
    client = Client(HTTP_USER_AGENT="Firefox/128 (test)")
    client.force_login(user)
    return client


def _hash_on(page):
    return re.search(r'name="document_sha256" value="([0-9a-f]{64})"', page.content.decode()).group(1)


def test_the_owner_saves_settings_and_a_template_and_an_unknown_placeholder_is_a_field_error(owner_client):
    url = reverse("engagements:agreement_settings")
    response = owner_client.post(url, {"requires_signed_agreement": "on", "notice_days": "30",
                                       "governing_law": "the laws of Portugal"})
    assert response.status_code == 302
    assert AgreementSettings.objects.get().requires_signed_agreement is True
    assert "the laws of Portugal" in owner_client.get(url).content.decode()
    create = reverse("engagements:agreement_template_create")
    assert "{{freelancer_name}}" in owner_client.get(create).content.decode()  # the shipped template, to adapt
    bad = owner_client.post(create, {"name": "Mine", "body": "For {{freelancer_name}} {% load static %} {{ oops }}"})
    assert bad.status_code == 200
    assert "Unknown placeholder {{oops}}" in bad.content.decode()
    assert not AgreementTemplate.objects.exists()
    assert owner_client.post(create, {"name": "Mine", "body": "For {{freelancer_name}}."}).status_code == 302
    template = AgreementTemplate.objects.get()
    assert "Mine" in owner_client.get(url).content.decode() and template.is_default
    edit = reverse("engagements:agreement_template_edit", kwargs={"template_pk": template.pk})
    assert "For {{freelancer_name}}." in owner_client.get(edit).content.decode()


def test_the_signing_flow_through_both_sides_pages(owner_client, portal_client, offered, mailoutbox,
                                                   django_capture_on_commit_callbacks, celery_eager):
    page = reverse("engagements:agreements", kwargs={"pk": offered.pk})
    assert "No agreement yet" in owner_client.get(page).content.decode()
    owner_client.post(reverse("engagements:agreement_issue", kwargs={"pk": offered.pk}), {"send": "on"})
    agreement = offered.agreements.get()
    owner_page = owner_client.get(page)
    assert "Frida Lance" in owner_page.content.decode() and _hash_on(owner_page) == agreement.document_sha256

    portal = reverse("portal:agreement", kwargs={"pk": offered.pk})
    portal_page = portal_client.get(portal)
    sign_url = reverse("portal:agreement_sign", kwargs={"pk": offered.pk, "agreement_pk": agreement.pk})
    empty = portal_client.post(sign_url, {"full_name": "", "agree": "on", "document_sha256": _hash_on(portal_page)})
    assert empty.status_code == 400 and "Type your full name to sign." in empty.content.decode()
    unticked = portal_client.post(sign_url, {"full_name": "Frida Lance", "document_sha256": _hash_on(portal_page)})
    assert unticked.status_code == 400 and "Tick “I agree”" in unticked.content.decode()
    stale = portal_client.post(sign_url, {"full_name": "Frida Lance", "agree": "on", "document_sha256": "f" * 64},
                               follow=True)
    assert "not the current document" in stale.content.decode()
    assert not AgreementSignature.objects.exists()
    portal_client.post(sign_url, {"full_name": "Frida Lance", "agree": "on",
                                  "document_sha256": _hash_on(portal_page)}, REMOTE_ADDR="192.0.2.44")
    signature = AgreementSignature.objects.get()
    assert (signature.side, signature.ip, signature.user_agent) == ("freelancer", "192.0.2.44", "Firefox/128 (test)")

    with django_capture_on_commit_callbacks(execute=True):
        owner_sign = reverse("engagements:agreement_sign", kwargs={"pk": offered.pk, "agreement_pk": agreement.pk})
        owner_client.post(owner_sign, {"full_name": "Olivia Owner", "agree": "on",
                                       "document_sha256": _hash_on(owner_page)})
    assert "Signed by both" in owner_client.get(page).content.decode()
    signed_mail = [m for m in mailoutbox if m.subject.endswith("(version 1)") and "Signed by both" in m.subject]
    assert {m.to[0] for m in signed_mail} == {"owner@example.com", "frida@example.net"}
    assert all(m.attachments[0][0] == f"agreement-{offered.pk}-v1.pdf" and m.attachments[0][1][:5] == b"%PDF-"
               for m in signed_mail)

    pdf = portal_client.get(reverse("portal:agreement_pdf", kwargs={"pk": offered.pk, "agreement_pk": agreement.pk}))
    assert pdf["Content-Type"] == "application/pdf" and pdf["X-Content-Type-Options"] == "nosniff"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split())
    assert "Olivia Owner" in text and "Frida Lance" in text and "192.0.2.44" in text
    assert agreement.document_sha256 in text.replace(" ", "")
    assert "500.00 USD" in text and "2,000.00 USD" in text


def test_a_manager_reads_but_does_not_sign(manager_client, offered, owner):
    from engagements.services.agreement import agreement_issue

    agreement = agreement_issue(engagement=offered, actor=owner)
    page = manager_client.get(reverse("engagements:agreements", kwargs={"pk": offered.pk})).content.decode()
    assert "Only the workspace's owner signs for the client." in page and 'name="full_name"' not in page
    manager_client.post(reverse("engagements:agreement_sign", kwargs={"pk": offered.pk, "agreement_pk": agreement.pk}),
                        {"full_name": "Mia Manager", "agree": "on", "document_sha256": agreement.document_sha256})
    assert not AgreementSignature.objects.exists()


def test_another_workspace_and_another_freelancer_see_nothing(outsider_client, offered, owner, other_freelancer):
    from engagements.services.agreement import agreement_issue

    agreement = agreement_issue(engagement=offered, actor=owner)
    assert outsider_client.get(reverse("engagements:agreements", kwargs={"pk": offered.pk})).status_code == 404
    assert outsider_client.get(reverse("engagements:agreement_pdf", kwargs={
        "pk": offered.pk, "agreement_pk": agreement.pk})).status_code == 404


def test_a_required_agreement_holds_up_the_brief_and_funding_with_a_link(
        owner_client, portal_client, offered, required):
    brief_page = portal_client.get(reverse("portal:brief", kwargs={"pk": offered.pk})).content.decode()
    agreement_url = reverse("portal:agreement", kwargs={"pk": offered.pk})
    assert "This workspace requires a signed agreement" in brief_page and f'href="{agreement_url}"' in brief_page
    brief = current_brief(offered)
    refused = portal_client.post(reverse("portal:brief_acknowledge", kwargs={"pk": offered.pk, "brief_pk": brief.pk}),
                                 follow=True)
    assert "both sides must sign it" in refused.content.decode()
    brief.refresh_from_db()
    assert brief.acknowledged_at is None

    milestone = offered.milestones.get()
    fund_url = reverse("payments:milestone_action", kwargs={"pk": milestone.pk, "action": "fund"})
    fund_page = owner_client.get(fund_url).content.decode()
    owner_agreement_url = reverse("engagements:agreements", kwargs={"pk": offered.pk})
    assert "before you can fund a milestone" in fund_page and f'href="{owner_agreement_url}"' in fund_page


def test_both_homes_say_an_agreement_waits_for_a_signature(owner_client, portal_client, offered, owner):
    from engagements.services.agreement import agreement_issue

    agreement_issue(engagement=offered, actor=owner)
    portal_home = portal_client.get(reverse("portal:home")).content.decode()
    assert "Read and sign agreement v1 for “Checkout redesign”" in portal_home
    assert f'href="{reverse("portal:agreement", kwargs={"pk": offered.pk})}"' in portal_home
    owner_home = owner_client.get("/").content.decode()
    assert "Agreement v1 for “Checkout redesign” waits for your signature" in owner_home


def test_without_weasyprint_the_pdf_link_says_what_to_install(owner_client, offered, owner, monkeypatch):
    """A machine without Pango (WeasyPrint cannot load): the pages still work and say what to install."""
    import sys

    from engagements.services.agreement import agreement_issue

    agreement = agreement_issue(engagement=offered, actor=owner)
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # `import weasyprint` now raises ImportError
    page = owner_client.get(reverse("engagements:agreements", kwargs={"pk": offered.pk})).content.decode()
    assert "PDF unavailable on this server" in page and "apt-get install libpango-1.0-0" in page
    pdf_url = reverse("engagements:agreement_pdf", kwargs={"pk": offered.pk, "agreement_pk": agreement.pk})
    pdf = owner_client.get(pdf_url)
    assert pdf.status_code == 503 and "pip install weasyprint" in pdf.content.decode()


def test_the_owner_is_told_when_the_engagement_changed_since_the_version_was_issued(owner_client, offered, owner):
    from engagements.services.agreement import agreement_issue
    from engagements.services.milestone import milestone_create

    agreement_issue(engagement=offered, actor=owner)
    page = reverse("engagements:agreements", kwargs={"pk": offered.pk})
    assert 'data-testid="agreement-outdated"' not in owner_client.get(page).content.decode()
    milestone_create(engagement=offered, actor=owner, title="Polish", acceptance_criteria="x", amount=20000)
    offered.budget = 300000
    offered.save(update_fields=["budget"])
    shown = owner_client.get(page).content.decode()
    assert "the engagement changed: the pay schedule, the budget. Issue a new version" in shown
    agreement_issue(engagement=offered, actor=owner)
    assert 'data-testid="agreement-outdated"' not in owner_client.get(page).content.decode()
