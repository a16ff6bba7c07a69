"""Money that really moves, in Chromium: the offline Stripe fake served on loopback as Stripe's
hosted pages (Checkout, Connect onboarding) for a live server of the app, which reaches the same
fake's API in process. The owner pays a milestone on the fake's checkout page and is back on the
engagement's money page with it funded (the fake posted the signed webhooks to the live server);
the freelancer sets up payouts in the portal through the fake's onboarding page; the owner
releases, and the transfer shows on both sides. Screenshots are kept under the test's tmp_path."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD
from engagements.models import Engagement
from payments.models import IntentStatus, PayoutAccount, ProviderIntent
from payments.services import payout_account_enable
from payments.tests.conftest import submit
from payments.tests.stripe_fake.server import FakeStripeServer
from payments.tests.views.conftest import action_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, url, email, button):
    page.goto(url)
    form = page.locator("form", has=page.get_by_role("button", name=button))
    form.get_by_label("Email").fill(email)
    form.get_by_label("Password").fill(PASSWORD)
    form.get_by_role("button", name=button).click()


def test_fund_through_checkout_set_up_payouts_release_and_see_the_transfer(
        page, browser, live_server, stripe_rail, owner, freelancer, milestone, tmp_path, settings):
    Engagement.objects.filter(pk=milestone.engagement_id).update(offered_at=timezone.now())  # in the portal
    settings.SITE_URL = live_server.url  # where Stripe sends the payer back to
    hooks = {"platform": f"{live_server.url}/webhooks/stripe/",
             "connect": f"{live_server.url}/webhooks/stripe/connect/"}
    with FakeStripeServer(stripe_rail, webhook_urls=hooks) as stripe:
        # As settings.py allows Stripe's hosted pages when the rail is on (here the fake's).
        settings.SECURE_CSP = {**settings.SECURE_CSP, "form-action": ["'self'", stripe.url]}
        # The owner funds the milestone: Stripe's checkout page, card, Pay.
        sign_in(page, f"{live_server.url}/accounts/login/", owner.email, "Log in")
        page.goto(live_server.url + action_url(milestone, "fund"))
        expect(page.get_by_text("Stripe balance until you release them.")).to_be_visible()
        page.get_by_role("button", name="Continue to payment (Stripe)").click()
        page.wait_for_url(f"{stripe.url}/pay/**")
        expect(page.get_by_text("Home page")).to_be_visible()
        page.screenshot(path=tmp_path / "1-checkout.png", full_page=True)
        page.get_by_role("button", name="Pay", exact=True).click()
        # Back on the money page, funded: the webhook arrived before the redirect did.
        page.wait_for_url(re.compile(rf"/payments/engagements/{milestone.engagement_id}/.*checkout=done"))
        row = page.locator("tr", has_text="Home page")
        expect(row).to_contain_text("Funded")
        expect(page.get_by_text("Payment pending")).to_have_count(0)
        page.screenshot(path=tmp_path / "2-funded.png", full_page=True)
        milestone.refresh_from_db()
        assert milestone.state == "funded"

        # Payouts turned on for the freelancer; they set them up in the portal at Stripe.
        payout_account_enable(freelancer=freelancer, actor=owner)
        portal = browser.new_context().new_page()
        sign_in(portal, f"{live_server.url}/portal/sign-in/", freelancer.email, "Sign in")
        portal.goto(f"{live_server.url}/portal/money/payouts/")
        portal.get_by_role("button", name="Set up payouts").click()
        portal.wait_for_url(f"{stripe.url}/setup/**")
        portal.screenshot(path=tmp_path / "3-onboarding.png", full_page=True)
        portal.get_by_role("button", name="Finish setup").click()
        portal.wait_for_url(re.compile(r"/portal/money/payouts/"))
        expect(portal.get_by_test_id("payout-status")).to_contain_text("Ready to receive payouts")
        portal.screenshot(path=tmp_path / "4-payouts-ready.png", full_page=True)
        assert PayoutAccount.objects.get(freelancer=freelancer).is_ready

        # The work is handed in; the owner releases it; Stripe transfers it.
        submit(milestone)
        page.goto(live_server.url + action_url(milestone, "release"))
        page.locator("form[method=post]").get_by_role("button", name=re.compile("Release")).click()
        transfer = ProviderIntent.objects.get(milestone=milestone, kind="transfer")
        assert transfer.status == IntentStatus.SUCCEEDED and transfer.provider_id.startswith("tr_")
        assert stripe_rail.connected_balance(PayoutAccount.objects.get().provider_account_id, "usd")["pending"] == \
            150_000
        page.goto(f"{live_server.url}/payments/engagements/{milestone.engagement_id}/")
        expect(page.get_by_text(f"ref. {transfer.provider_id}")).to_be_visible()
        page.screenshot(path=tmp_path / "5-owner-transferred.png", full_page=True)

        portal.goto(f"{live_server.url}/portal/engagements/{milestone.engagement_id}/money/")
        expect(portal.get_by_text(transfer.provider_id).first).to_be_visible()
        expect(portal.locator("main")).to_contain_text("Stripe")
        portal.screenshot(path=tmp_path / "6-portal-money.png", full_page=True)
    print(f"screenshots: {tmp_path}")
