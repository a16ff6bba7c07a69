"""The agreement in Chromium: the owner has sent and signed it; the freelancer reads it in the
portal, signs by typing their name and ticking "I agree", and downloads the signed PDF; the owner
then sees it signed by both."""

import io
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from accounts.tests.factories import PASSWORD
from engagements.models import SignerSide
from engagements.services.agreement import agreement_issue, agreement_sign

from .conftest import PASSWORD as FREELANCER_PASSWORD
from .conftest import linked_freelancer, start_engagement_offered

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, url, email, password, button="Log in"):
    page.goto(url)
    form = page.locator("form", has=page.get_by_role("button", name=button))
    form.get_by_label("Email").fill(email)
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name=button).click()


def test_the_freelancer_signs_in_the_portal_and_downloads_the_pdf(page, browser, live_server, owner, workspace):
    ana = linked_freelancer(workspace, name="Ana Alves", email="ana@example.net")
    ana.user.set_password(FREELANCER_PASSWORD)
    ana.user.save()
    engagement = start_engagement_offered(workspace, owner, ana)
    agreement = agreement_issue(engagement=engagement, actor=owner)
    agreement_sign(agreement_id=agreement.pk, side=SignerSide.OWNER, full_name="Olivia Owner", agree=True,
                   document_sha256=agreement.document_sha256, user=owner, ip="198.51.100.9", user_agent="test")

    freelancer = browser.new_context(accept_downloads=True).new_page()
    sign_in(freelancer, f"{live_server.url}/portal/sign-in/", "ana@example.net", FREELANCER_PASSWORD,
            button="Sign in")
    freelancer.goto(f"{live_server.url}/portal/engagements/{engagement.pk}/")
    freelancer.get_by_role("link", name="Agreement", exact=True).click()
    expect(freelancer.get_by_test_id("agreement-status")).to_have_text("Waiting for signatures")
    expect(freelancer.locator(".agreement-document")).to_contain_text("Ana Alves")
    freelancer.get_by_label("Type your full name").fill("ana alves")
    freelancer.get_by_label("I have read this agreement and I agree to it").check()
    freelancer.get_by_role("button", name="Sign the agreement").click()
    expect(freelancer.get_by_test_id("agreement-status")).to_have_text("Signed by both")
    expect(freelancer.get_by_test_id("signatures")).to_contain_text("signed by ana alves")
    with freelancer.expect_download() as download:
        freelancer.get_by_test_id("agreement-pdf").click()
    assert download.value.suggested_filename == f"agreement-{engagement.pk}-v1.pdf"
    pdf = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert "Olivia Owner" in text and "ana alves" in text and agreement.document_sha256 in text.replace(" ", "")

    sign_in(page, f"{live_server.url}/accounts/login/", owner.email, PASSWORD)
    page.goto(f"{live_server.url}/engagements/{engagement.pk}/agreement/")
    expect(page.get_by_test_id("agreement-status")).to_have_text("Signed by both")
    expect(page.get_by_test_id("signatures")).to_contain_text("signed by ana alves")
