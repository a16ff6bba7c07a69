"""A refund after release on Stripe: the part that reached the freelancer's Stripe account comes
back by a transfer reversal, THEN the owner's charge is refunded; the ledger follows only once
the reversal succeeded; a reversal Stripe refuses posts nothing; a lost answer is recovered by
the sweep with the same keys; a retry or a second refund never moves money twice."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from payments import services
from payments.errors import InsufficientFunds, ProviderError
from payments.models import (
    AccountKind,
    IntentStatus,
    ProviderIntent,
    ReleasedRefund,
    Transaction,
    TransactionKind,
)
from payments.services.provider_reversals import released_refunds_recover
from payments.tests.conftest import balance, new_key, submit

from .conftest import checkout_of, paid_and_released, payouts_on

pytestmark = pytest.mark.django_db


def _intent(ledger_key, step):
    """The intent for `ledger_key`'s `step` (its key: `w{workspace}:{ledger key}:{step}`)."""
    return ProviderIntent.objects.get(ledger_key=ledger_key, idempotency_key__endswith=f":{step}")


@pytest.fixture
def transferred(stripe_rail, deliver, owner_api, owner, freelancer, milestone, django_capture_on_commit_callbacks):
    """A milestone paid through Checkout, released and transferred to a ready account."""
    account = payouts_on(owner_api, freelancer, stripe_rail)
    paid_and_released(owner_api, owner, milestone, stripe_rail, deliver, django_capture_on_commit_callbacks)
    assert ProviderIntent.objects.get(kind="transfer").status == IntentStatus.SUCCEEDED
    return account


def _refund(milestone, freelancer, amount, key=None, **more):
    return services.released_refund(milestone=milestone, actor=freelancer.user, amount=amount,
                                    idempotency_key=key or new_key(), **more)


def test_a_part_refund_reverses_the_transfer_then_refunds_the_charge(stripe_rail, transferred, milestone,
                                                                     freelancer, owner):
    platform_before = stripe_rail.platform_balance("usd")
    refund = _refund(milestone, freelancer, 50_000, key="give-back-1", reason="Two pages were not delivered")
    assert (refund.status, refund.from_paid_out, refund.from_payable) == ("refunded", 50_000, 0)
    reversal = _intent("give-back-1", "reversal")
    charge_refund = _intent("give-back-1", "refund")
    assert reversal.status == charge_refund.status == IntentStatus.SUCCEEDED
    assert reversal.provider_id.startswith("trr_") and charge_refund.provider_id.startswith("re_")
    # At Stripe: 50,000 back from the freelancer's account, and out of the platform to the owner.
    assert stripe_rail.connected_balance(transferred.provider_account_id, "usd")["pending"] == 100_000
    transfer = stripe_rail.objects_of("transfer")[0]
    assert stripe_rail.objects[transfer["id"]]["amount_reversed"] == 50_000
    refunds = stripe_rail.objects_of("refund")
    assert [(r["amount"], r["charge"]) for r in refunds] == [(50_000, checkout_of(milestone).charge_id)]
    after = stripe_rail.platform_balance("usd")
    assert after["available"] + after["pending"] == platform_before["available"] + platform_before["pending"]
    # The ledger: what was paid out came back from paid out to the owner, once.
    tx = Transaction.objects.get(kind=TransactionKind.REFUND_RELEASED)
    assert refund.transaction == tx and tx.idempotency_key == "give-back-1"
    assert balance(AccountKind.PAID_OUT) == 100_000 and balance(AccountKind.PAYABLE) == 0
    assert balance(AccountKind.OWNER_FUNDING) == -100_000
    assert Notification.objects.filter(kind="released_refunded", recipient_email=owner.email).count() == 1

    # The same key again: the first refund, nothing moves twice.
    again = _refund(milestone, freelancer, 50_000, key="give-back-1")
    assert again.pk == refund.pk and again.replayed
    assert len(stripe_rail.objects_of("refund")) == 1
    assert stripe_rail.objects[transfer["id"]]["amount_reversed"] == 50_000
    # Never more than was released minus what was refunded: nothing stored for a refused one.
    with pytest.raises(InsufficientFunds, match="At most 1,000.00 USD is left"):
        _refund(milestone, freelancer, 100_001)
    assert ReleasedRefund.objects.count() == 1 and Transaction.objects.filter(kind="refund_released").count() == 1
    rest = _refund(milestone, freelancer, 100_000)
    assert rest.status == "refunded" and stripe_rail.objects[transfer["id"]]["reversed"] is True
    assert balance(AccountKind.PAID_OUT) == 0 and balance(AccountKind.OWNER_FUNDING) == 0


def test_a_reversal_stripe_refuses_posts_nothing_and_says_why(stripe_rail, transferred, milestone, freelancer):
    stripe_rail.make_available(transferred.provider_account_id)
    stripe_rail.run_payouts(transferred.provider_account_id)  # the money left for the freelancer's bank
    with pytest.raises(ProviderError, match="could not take the money back from your Stripe account") as refused:
        _refund(milestone, freelancer, 40_000, key="too-late")
    assert "Nothing was refunded" in refused.value.message
    refund = ReleasedRefund.objects.get()
    assert refund.status == "failed" and "Insufficient funds" in refund.error
    assert not Transaction.objects.filter(kind=TransactionKind.REFUND_RELEASED).exists()
    assert not stripe_rail.objects_of("refund") and balance(AccountKind.PAID_OUT) == 150_000
    assert _intent("too-late", "reversal").status == IntentStatus.FAILED
    assert not ProviderIntent.objects.filter(ledger_key="too-late", kind="refund").exists()


def test_a_lost_reversal_answer_is_recovered_once_by_the_sweep(stripe_rail, transferred, milestone, freelancer,
                                                               time_machine):
    transfer_id = stripe_rail.objects_of("transfer")[0]["id"]
    # Every answer lost (the client itself retries twice with the same key).
    stripe_rail.inject_fault("lost", path=f"/v1/transfers/{transfer_id}/reversals", method="POST", count=3)
    stripe_rail.inject_fault("lost", path="/v1/refunds", method="POST", count=3)
    with pytest.raises(ProviderError, match="under way"):
        _refund(milestone, freelancer, 150_000, key="lost-1")
    refund = ReleasedRefund.objects.get()
    assert refund.status == "started" and not Transaction.objects.filter(kind="refund_released").exists()
    assert stripe_rail.objects[transfer_id]["amount_reversed"] == 150_000  # Stripe did it; we did not hear

    assert released_refunds_recover() == 0  # too soon: it may still be under way
    time_machine.move_to(timezone.now() + timedelta(minutes=5))
    released_refunds_recover()  # the reversal is answered again (same key); the charge refund's answer is lost
    refund.refresh_from_db()
    assert refund.status == "refunded" and Transaction.objects.filter(kind="refund_released").count() == 1
    assert _intent("lost-1", "refund").status == IntentStatus.STARTED
    time_machine.move_to(timezone.now() + timedelta(minutes=5))
    assert released_refunds_recover() == 1
    assert released_refunds_recover() == 0  # and never again
    assert len(stripe_rail.objects_of("refund")) == 1 and stripe_rail.objects[transfer_id]["amount_reversed"] == 150_000
    assert _intent("lost-1", "refund").status == IntentStatus.SUCCEEDED
    assert balance(AccountKind.PAID_OUT) == 0 and balance(AccountKind.OWNER_FUNDING) == 0


def test_money_not_yet_transferred_comes_back_from_payable_without_a_reversal(
        stripe_rail, deliver, owner_api, owner, freelancer, milestone, django_capture_on_commit_callbacks):
    owner_api.post(reverse("api:milestone-fund", args=[milestone.pk]), {}, format="json",
                   HTTP_IDEMPOTENCY_KEY=new_key())
    stripe_rail.complete_checkout(checkout_of(milestone).provider_id)
    deliver()
    submit(milestone)
    with django_capture_on_commit_callbacks(execute=True):  # payouts not set up: the release waits
        services.milestone_release(milestone=milestone, actor=owner, idempotency_key=new_key())
    refund = _refund(milestone, freelancer, 30_000, key="owed-1")
    assert (refund.from_payable, refund.from_paid_out, refund.status) == (30_000, 0, "refunded")
    assert not ProviderIntent.objects.filter(kind="reversal").exists()
    assert [r["amount"] for r in stripe_rail.objects_of("refund")] == [30_000]
    assert balance(AccountKind.PAYABLE) == 120_000
