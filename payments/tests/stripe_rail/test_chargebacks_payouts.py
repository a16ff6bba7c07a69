"""What the banks do at Stripe, shown here: a card chargeback freezes the milestone (a dispute
the dashboard lists as needing attention) and its result is recorded; the freelancer's payouts
to their bank are shown on both sides; the engagement's provider activity lists it all."""

import pytest
from django.test import Client
from django.urls import reverse

from payments import services
from payments.models import Dispute, PayoutAccount
from payments.tests.conftest import new_key, submit

from .conftest import checkout_of

pytestmark = pytest.mark.django_db


def _funded(owner_api, milestone, fake, deliver):
    owner_api.post(reverse("api:milestone-fund", args=[milestone.pk]), {}, format="json",
                   HTTP_IDEMPOTENCY_KEY=new_key())
    fake.complete_checkout(checkout_of(milestone).provider_id)
    deliver()
    return checkout_of(milestone)


def test_a_chargeback_freezes_an_unreleased_milestone_and_its_result_is_recorded(
        stripe_rail, deliver, owner_api, milestone):
    charge = _funded(owner_api, milestone, stripe_rail, deliver)
    dispute = stripe_rail.open_dispute(charge.charge_id)
    deliver(duplicate=True)
    milestone.refresh_from_db()
    assert milestone.state == "disputed"
    frozen = Dispute.objects.get(milestone=milestone)
    assert frozen.is_open and "chargeback" in frozen.reason.lower()
    attention = owner_api.get(reverse("api:attention")).json()
    assert any(item["kind"] == "dispute_open" for item in attention["results"])

    stripe_rail.close_dispute(dispute["id"], "lost")
    deliver()
    url = reverse("api:engagement-provider-activity", args=[milestone.engagement_id])
    activity = owner_api.get(url).json()["results"]
    kinds = [(row["kind"], row["status"]) for row in activity]
    assert ("charge", "succeeded") in kinds and ("fee", "succeeded") in kinds and ("dispute", "failed") in kinds
    assert next(r for r in activity if r["kind"] == "dispute")["provider_id"] == dispute["id"]


def test_payouts_to_the_freelancers_bank_are_shown_on_both_sides(
        stripe_rail, deliver, owner_api, owner, owner_client, freelancer, milestone,
        django_capture_on_commit_callbacks):
    owner_api.post(reverse("api:freelancer-payout-account", args=[freelancer.pk]))
    account = PayoutAccount.objects.get()
    stripe_rail.complete_onboarding(account.provider_account_id)
    _funded(owner_api, milestone, stripe_rail, deliver)
    submit(milestone)
    with django_capture_on_commit_callbacks(execute=True):
        services.milestone_release(milestone=milestone, actor=owner, idempotency_key=new_key())
    stripe_rail.make_available(account.provider_account_id)
    stripe_rail.run_payouts(account.provider_account_id, fail=True)
    deliver()
    account.refresh_from_db()
    assert (account.last_payout_status, account.last_payout_amount) == ("failed", 150_000)
    portal = Client()
    portal.force_login(freelancer.user)
    page = portal.get(reverse("portal:payouts")).content.decode()
    assert "Latest payout to your bank:" in page and "failed" in page
    panel = owner_client.get(reverse("payments:freelancer_money", args=[freelancer.pk]), HTTP_HX_REQUEST="true")
    assert "Latest payout to their bank: 1,500.00 USD, failed" in panel.content.decode()
