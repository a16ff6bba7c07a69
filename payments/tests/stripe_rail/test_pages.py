"""The Stripe rail on the pages: the owner funds through Checkout and sees the payment pending,
turns payouts on from the freelancer's money panel; the freelancer sets them up in the portal."""

import pytest
from django.test import Client
from django.urls import reverse

from payments.models import PayoutAccount
from payments.tests.views.conftest import action_url, key_in

from .conftest import checkout_of

pytestmark = pytest.mark.django_db


def test_the_owner_funds_through_checkout_and_sees_the_payment_pending(stripe_rail, owner_client, milestone,
                                                                       deliver):
    page = owner_client.get(action_url(milestone, "fund")).content.decode()
    assert "Continue to payment (Stripe)" in page
    assert "Stripe balance until you release them." in page
    answer = owner_client.post(action_url(milestone, "fund"), {
        "idempotency_key": key_in(page), "expected_amount": "150000"})
    intent = checkout_of(milestone)
    assert answer.status_code == 302 and answer["Location"] == intent.url
    money = owner_client.get(reverse("payments:engagement", args=[milestone.engagement_id])).content.decode()
    assert "Payment pending" in money and intent.url in money

    stripe_rail.complete_checkout(intent.provider_id)
    deliver()
    money = owner_client.get(reverse("payments:engagement", args=[milestone.engagement_id])).content.decode()
    assert "Payment pending" not in money
    milestone.refresh_from_db()
    assert milestone.state == "funded"


def test_payouts_turned_on_by_the_owner_are_set_up_by_the_freelancer_in_the_portal(
        stripe_rail, deliver, owner_client, freelancer):
    panel = owner_client.get(reverse("payments:freelancer_money", args=[freelancer.pk]), HTTP_HX_REQUEST="true")
    assert "Turn on payouts through Stripe" in panel.content.decode()
    owner_client.post(reverse("payments:payouts_enable", args=[freelancer.pk]))
    account = PayoutAccount.objects.get(freelancer=freelancer)
    panel = owner_client.get(reverse("payments:freelancer_money", args=[freelancer.pk]), HTTP_HX_REQUEST="true")
    assert "Waiting for the freelancer to set up payouts" in panel.content.decode()

    portal = Client()
    portal.force_login(freelancer.user)
    page = portal.get(reverse("portal:payouts")).content.decode()
    assert "Set up payouts" in page and "Waiting for the freelancer" in page
    link = portal.post(reverse("portal:payouts"))
    assert link.status_code == 302 and "/setup/" in link["Location"]

    stripe_rail.complete_onboarding(account.provider_account_id)
    deliver()
    assert "Ready to receive payouts" in portal.get(reverse("portal:payouts")).content.decode()
    panel = owner_client.get(reverse("payments:freelancer_money", args=[freelancer.pk]), HTTP_HX_REQUEST="true")
    assert "Ready to receive payouts" in panel.content.decode()


def test_off_the_platform_the_pages_offer_nothing_of_stripe(owner_client, freelancer):
    panel = owner_client.get(reverse("payments:freelancer_money", args=[freelancer.pk]), HTTP_HX_REQUEST="true")
    assert "Stripe" not in panel.content.decode()
    owner_client.post(reverse("payments:payouts_enable", args=[freelancer.pk]))
    assert not PayoutAccount.objects.exists()
