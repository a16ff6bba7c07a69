"""A crash between the provider call and our commit moves money once: the intent written before
the call is replayed by the recovery sweep with the same key, and Stripe answers the transfer it
already made instead of making a second."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from payments import services
from payments.models import AccountKind, IntentStatus, Payout, PayoutAccount, ProviderIntent
from payments.services.provider_moves import intent_recovery_sweep
from payments.tests.conftest import balance, new_key, submit

from .conftest import checkout_of

pytestmark = pytest.mark.django_db


def test_a_transfer_whose_answer_was_lost_is_recorded_once_by_the_sweep(
        stripe_rail, deliver, owner_api, owner, freelancer, milestone, django_capture_on_commit_callbacks,
        time_machine):
    owner_api.post(reverse("api:freelancer-payout-account", args=[freelancer.pk]))
    account = PayoutAccount.objects.get()
    stripe_rail.complete_onboarding(account.provider_account_id)
    owner_api.post(reverse("api:milestone-fund", args=[milestone.pk]), {}, format="json",
                   HTTP_IDEMPOTENCY_KEY=new_key())
    stripe_rail.complete_checkout(checkout_of(milestone).provider_id)
    deliver()
    submit(milestone)

    # The transfer is made at Stripe, but every answer is lost (the worker dies before it commits
    # anything of it): the intent stays started, nothing is paid out in the ledger.
    stripe_rail.inject_fault("lost", path="/v1/transfers", method="POST", count=3)
    with django_capture_on_commit_callbacks(execute=True):
        services.milestone_release(milestone=milestone, actor=owner, idempotency_key=new_key())
    intent = ProviderIntent.objects.get(kind="transfer")
    assert intent.status == IntentStatus.STARTED
    assert len(stripe_rail.objects_of("transfer")) == 1
    assert balance(AccountKind.PAYABLE) == 150_000 and not Payout.objects.exists()

    assert intent_recovery_sweep() == 0  # too soon: it may still be under way
    time_machine.move_to(timezone.now() + timedelta(minutes=5))
    assert intent_recovery_sweep() == 1
    assert intent_recovery_sweep() == 0  # and never again
    intent.refresh_from_db()
    assert intent.status == IntentStatus.SUCCEEDED and intent.attempts == 2
    transfers = stripe_rail.objects_of("transfer")
    assert len(transfers) == 1 and intent.provider_id == transfers[0]["id"]
    assert transfers[0]["metadata"]["ledger_key"] == intent.ledger_key
    assert transfers[0]["transfer_group"] == f"engagement-{milestone.engagement_id}"
    assert balance(AccountKind.PAYABLE) == 0 and Payout.objects.get().reference == transfers[0]["id"]
