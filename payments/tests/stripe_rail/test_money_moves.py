"""Money that really moves, end to end against the offline Stripe fake: payouts set up, a
milestone paid through Checkout and funded only on Stripe's word, released and transferred, the
ledger in step; refunds; a release to a freelancer not ready yet; the off-platform default."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from payments import selectors, services
from payments.models import (
    AccountKind,
    IntentStatus,
    Payout,
    PayoutAccount,
    ProviderIntent,
    Transaction,
    TransactionKind,
)
from payments.tests.conftest import balance, new_key, submit

from .conftest import checkout_of

pytestmark = pytest.mark.django_db


def _transfers(fake):
    """Transfers the fake made (a replayed key answers the first one without making another)."""
    return len([o for o in fake.objects.values() if o.get("object") == "transfer"])


def _portal_money_page(freelancer, engagement):
    """The freelancer's money page of `engagement` (offered to them, so the portal shows it)."""
    type(engagement).objects.filter(pk=engagement.pk).update(offered_at=timezone.now())
    portal = Client()
    portal.force_login(freelancer.user)
    answer = portal.get(reverse("portal:engagement_money", args=[engagement.pk]))
    assert answer.status_code == 200
    return answer.content.decode()


def _ready_payouts(owner_api, freelancer, fake, deliver):
    answer = owner_api.post(reverse("api:freelancer-payout-account", args=[freelancer.pk]))
    assert answer.status_code == 200 and answer.json()["status"] == "pending"
    account = PayoutAccount.objects.get(freelancer=freelancer)
    fake.complete_onboarding(account.provider_account_id)
    assert all(r.status_code == 200 for r in deliver())
    account.refresh_from_db()
    return account


def _pay(owner_api, milestone, fake, deliver, **checkout):
    answer = owner_api.post(reverse("api:milestone-fund", args=[milestone.pk]), {}, format="json",
                            HTTP_IDEMPOTENCY_KEY=new_key())
    assert answer.status_code == 202, answer.content
    body = answer.json()
    assert body["state"] == "payment_pending" and body["checkout_url"]
    milestone.refresh_from_db()
    assert milestone.state == "draft"  # nothing is funded before Stripe says it was paid
    fake.complete_checkout(checkout_of(milestone).provider_id, **checkout)
    return deliver()


def test_fund_release_transfer_with_the_ledger_in_step(stripe_rail, deliver, owner_api, freelancer_api, owner,
                                                       freelancer, milestone, django_capture_on_commit_callbacks):
    account = _ready_payouts(owner_api, freelancer, stripe_rail, deliver)
    assert account.status == "ready"
    assert Notification.objects.filter(kind="payouts_setup", recipient_email=freelancer.email).count() == 1
    assert freelancer_api.get(reverse("api:me-payout-account")).json()["status"] == "ready"

    _pay(owner_api, milestone, stripe_rail, deliver)
    milestone.refresh_from_db()
    assert milestone.state == "funded"
    intent = checkout_of(milestone)
    fee = 150_000 * 29 // 1000 + 30
    assert intent.status == IntentStatus.SUCCEEDED and intent.fee == fee and intent.charge_id.startswith("ch_")
    assert intent.ledger_transaction.kind == TransactionKind.FUND
    assert stripe_rail.platform_balance("usd")["pending"] == 150_000 - fee

    submit(milestone)
    with django_capture_on_commit_callbacks(execute=True):
        services.milestone_release(milestone=milestone, actor=owner, idempotency_key=new_key())
    transfer = ProviderIntent.objects.get(milestone=milestone, kind="transfer")
    assert transfer.status == IntentStatus.SUCCEEDED and transfer.provider_id.startswith("tr_")
    assert stripe_rail.connected_balance(account.provider_account_id, "usd")["pending"] == 150_000
    payout = Payout.objects.get(engagement=milestone.engagement)
    assert (payout.method, payout.reference, payout.amount) == ("stripe", transfer.provider_id, 150_000)
    # The ledger: nothing held, nothing owed, all paid out, and the engagement's figures agree.
    assert balance(AccountKind.ESCROW) == 0 and balance(AccountKind.PAYABLE) == 0
    assert balance(AccountKind.PAID_OUT) == 150_000
    figures = selectors.budget_figures(milestone.engagement).as_dict()
    assert figures["paid_out"] == 150_000 and figures["in_escrow"] == 0
    # The freelancer's money page says the money came by Stripe and where held funds are.
    page = _portal_money_page(freelancer, milestone.engagement)
    assert "is transferred to your payouts account" in page and "pays it out" not in page
    assert "by Stripe transfer" in page and "in the platform's Stripe balance until" in page
    # Replaying every event and the moves again changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        services.provider_moves.provider_moves_apply(
            transaction_ids=list(Transaction.objects.values_list("pk", flat=True)))
    assert _transfers(stripe_rail) == 1
    assert Payout.objects.count() == 1


def test_a_release_to_a_freelancer_not_ready_waits_and_moves_once_they_are(
        stripe_rail, deliver, owner_api, owner, freelancer, milestone, django_capture_on_commit_callbacks):
    owner_api.post(reverse("api:freelancer-payout-account", args=[freelancer.pk]))
    account = PayoutAccount.objects.get(freelancer=freelancer)
    _pay(owner_api, milestone, stripe_rail, deliver)
    submit(milestone)
    with django_capture_on_commit_callbacks(execute=True):
        services.milestone_release(milestone=milestone, actor=owner, idempotency_key=new_key())
    assert not ProviderIntent.objects.filter(kind="transfer").exists()
    assert balance(AccountKind.PAYABLE) == 150_000  # still owed
    waiting = Notification.objects.filter(kind="payout_waiting")
    assert {n.recipient_email for n in waiting} == {freelancer.email, owner.email}

    stripe_rail.complete_onboarding(account.provider_account_id)
    deliver()
    assert ProviderIntent.objects.get(kind="transfer").status == IntentStatus.SUCCEEDED
    assert balance(AccountKind.PAYABLE) == 0 and balance(AccountKind.PAID_OUT) == 150_000


def test_refund_before_release_and_a_split_go_back_through_stripe(
        stripe_rail, deliver, owner_api, owner, freelancer, make_milestone, django_capture_on_commit_callbacks):
    account = _ready_payouts(owner_api, freelancer, stripe_rail, deliver)
    cancelled, split = make_milestone(amount=40_000), make_milestone(amount=100_000)
    _pay(owner_api, cancelled, stripe_rail, deliver)
    _pay(owner_api, split, stripe_rail, deliver)
    with django_capture_on_commit_callbacks(execute=True):
        services.milestone_refund(milestone=cancelled, actor=owner, idempotency_key=new_key(), reason="Dropped")
        services.milestone_dispute(milestone=split, actor=owner, reason="Half done", idempotency_key=new_key())
        services.milestone_resolve(milestone=split, actor=owner, release_amount=60_000, refund_amount=40_000,
                                   idempotency_key=new_key())
    refunds = ProviderIntent.objects.filter(kind="refund", status=IntentStatus.SUCCEEDED)
    assert sorted(refunds.values_list("amount", flat=True)) == [40_000, 40_000]
    assert ProviderIntent.objects.get(kind="transfer", milestone=split).amount == 60_000
    assert stripe_rail.connected_balance(account.provider_account_id, "usd")["pending"] == 60_000
    assert balance(AccountKind.PAID_OUT) == 60_000 and balance(AccountKind.ESCROW) == 0


def test_failed_abandoned_and_slow_payments_are_shown_as_such(stripe_rail, deliver, owner_api, make_milestone):
    slow, abandoned = make_milestone(amount=10_000), make_milestone(amount=20_000)
    _pay(owner_api, slow, stripe_rail, deliver, method="us_bank_account")
    assert checkout_of(slow).status == IntentStatus.PROCESSING
    slow.refresh_from_db()
    assert slow.state == "draft"
    stripe_rail.settle(checkout_of(slow).provider_id, succeeded=True)
    deliver()
    slow.refresh_from_db()
    assert slow.state == "funded"

    owner_api.post(reverse("api:milestone-fund", args=[abandoned.pk]), {}, format="json",
                   HTTP_IDEMPOTENCY_KEY=new_key())
    stripe_rail.abandon_checkout(checkout_of(abandoned).provider_id)
    deliver()
    assert checkout_of(abandoned).status == IntentStatus.CANCELED
    abandoned.refresh_from_db()
    assert abandoned.state == "draft"


def test_off_platform_stays_the_default(owner_api, milestone, freelancer):
    assert owner_api.get(reverse("api:payments-provider")).json() == {
        "provider": "off_platform", "held_funds_note": "Set aside in your books; money moves when you pay out.",
        "currencies": []}
    answer = owner_api.post(reverse("api:milestone-fund", args=[milestone.pk]), {}, format="json",
                            HTTP_IDEMPOTENCY_KEY=new_key())
    assert answer.status_code == 200 and answer.json()["milestone"]["state"] == "funded"
    assert owner_api.post(reverse("api:freelancer-payout-account", args=[freelancer.pk])).status_code == 409
    assert not ProviderIntent.objects.exists()
    page = _portal_money_page(freelancer, milestone.engagement)
    assert f"{milestone.engagement.workspace.name} pays it out" in page and "this app holds no money" in page


def test_the_provider_endpoint_says_where_held_funds_are(stripe_rail, owner_api):
    assert owner_api.get(reverse("api:payments-provider")).json() == {
        "provider": "stripe", "held_funds_note": "Held in the platform's Stripe balance until you release them.",
        "currencies": ["USD", "EUR"]}


def test_a_release_paid_by_hand_while_waiting_is_not_transferred_again(
        stripe_rail, deliver, owner_api, owner, freelancer, milestone, django_capture_on_commit_callbacks):
    owner_api.post(reverse("api:freelancer-payout-account", args=[freelancer.pk]))
    account = PayoutAccount.objects.get(freelancer=freelancer)
    _pay(owner_api, milestone, stripe_rail, deliver)
    submit(milestone)
    with django_capture_on_commit_callbacks(execute=True):
        services.milestone_release(milestone=milestone, actor=owner, idempotency_key=new_key())
        services.payout_record(engagement=milestone.engagement, actor=owner, amount=150_000, method="wise",
                               reference="WISE-1", paid_on=date.today(), idempotency_key=new_key())
    stripe_rail.complete_onboarding(account.provider_account_id)
    deliver()
    assert stripe_rail.objects_of("transfer") == []
    assert ProviderIntent.objects.get(kind="transfer").status == IntentStatus.FAILED
    assert balance(AccountKind.PAID_OUT) == 150_000 and balance(AccountKind.PAYABLE) == 0
