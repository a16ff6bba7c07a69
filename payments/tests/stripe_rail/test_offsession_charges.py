"""Bonuses and approved hours on the Stripe rail: charged off session to the method the owner's
last Checkout saved, owed in the ledger only once the charge succeeded, then transferred from
that charge; a declined card leaves them "payment failed" with nothing posted, an attention row,
an email and a Checkout to pay; the same action twice, a lost answer and replayed or reordered
webhooks charge and transfer once."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from payments import selectors, services
from payments.models import (
    AccountKind,
    ChargeStatus,
    IntentStatus,
    PaymentCustomer,
    ProviderCharge,
    ProviderIntent,
    Transaction,
    TransactionKind,
)
from payments.selectors.attention import owner_attention
from payments.services.provider_charges import charges_recovery_sweep
from payments.tests.conftest import balance, log, new_key

from .conftest import checkout_of
from .test_money_moves import _pay, _ready_payouts

pytestmark = pytest.mark.django_db

FEE = {20_000: 20_000 * 29 // 1000 + 30}


def _paid_once(fake, owner_api, freelancer, milestone, deliver):
    """Payouts ready, and one milestone paid through Checkout: its card is saved for later."""
    account = _ready_payouts(owner_api, freelancer, fake, deliver)
    _pay(owner_api, milestone, fake, deliver)
    return account


def _charges(fake):
    return [pi for pi in fake.objects_of("payment_intent") if pi["customer"] and pi["metadata"].get("ledger_key")
            and pi["id"] not in {checkout_of_pi for checkout_of_pi in _checkout_pis(fake)}]


def _checkout_pis(fake):
    return {s["payment_intent"] for s in fake.objects_of("checkout.session") if s["payment_intent"]}


def test_a_bonus_is_charged_off_session_then_transferred(stripe_rail, deliver, owner_api, owner, freelancer,
                                                         milestone, django_capture_on_commit_callbacks, client):
    account = _paid_once(stripe_rail, owner_api, freelancer, milestone, deliver)
    customer = PaymentCustomer.objects.get()
    assert customer.payment_method_label == "Visa ending 4242"
    assert checkout_of(milestone).provider_id in {s["id"] for s in stripe_rail.objects_of(
        "checkout.session", customer=customer.provider_customer_id)}
    eng, key = milestone.engagement, new_key()
    url = reverse("api:engagement-bonuses", args=[eng.pk])
    with django_capture_on_commit_callbacks(execute=True):
        answer = owner_api.post(url, {"amount": 20_000, "note": "Launch week"}, format="json",
                                HTTP_IDEMPOTENCY_KEY=key)
    # Answered before the charge (made after the commit): not owed yet.
    assert answer.status_code == 202 and answer.json()["state"] == "payment_pending"
    charge = ProviderCharge.objects.get()
    assert charge.status == ChargeStatus.SUCCEEDED and charge.ledger_key.endswith(key)
    key = charge.ledger_key  # the API's key names its caller
    [pi] = _charges(stripe_rail)
    assert (pi["amount"], pi["customer"], pi["payment_method"], pi["status"]) == (
        20_000, customer.provider_customer_id, customer.payment_method_id, "succeeded")
    assert pi["metadata"]["ledger_key"] == key and pi["transfer_group"] == f"engagement-{eng.pk}"
    paid = ProviderIntent.objects.get(kind="charge")
    assert paid.idempotency_key == f"w{eng.workspace_id}:{key}:charge" and paid.fee == FEE[20_000]
    transfer = ProviderIntent.objects.get(kind="transfer", source_transaction=charge.ledger_transaction)
    assert transfer.idempotency_key == f"w{eng.workspace_id}:{key}:transfer"
    assert transfer.status == IntentStatus.SUCCEEDED
    [made] = stripe_rail.objects_of("transfer", source_transaction=paid.charge_id)
    assert made["amount"] == 20_000 and made["destination"] == account.provider_account_id
    # The platform holds the charge less Stripe's fee, the freelancer has it: milestone 150,000 + bonus.
    assert stripe_rail.platform_balance("usd")["pending"] == 150_000 - (150_000 * 29 // 1000 + 30) - FEE[20_000]
    assert stripe_rail.connected_balance(account.provider_account_id, "usd")["pending"] == 20_000
    assert charge.ledger_transaction.kind == TransactionKind.BONUS
    assert balance(AccountKind.PAYABLE) == 0 and balance(AccountKind.PAID_OUT) == 20_000
    assert Notification.objects.filter(kind="bonus_paid", recipient_email=freelancer.email).count() == 1
    # The same request again: the bonus as recorded, nothing charged or sent twice.
    again = owner_api.post(url, {"amount": 20_000, "note": "Launch week"}, format="json",
                           HTTP_IDEMPOTENCY_KEY=key.rpartition(":")[2])
    assert again.status_code == 202 and again["Idempotent-Replayed"] == "true"  # the first answer, stored
    assert services.bonus_pay(engagement=eng, actor=owner, amount=20_000, note="Launch week",
                              idempotency_key=key) == charge.ledger_transaction  # the service: the bonus as posted
    assert len(_charges(stripe_rail)) == 1 and len(stripe_rail.objects_of("transfer")) == 1
    client.force_login(owner)
    page = client.get(reverse("payments:engagement", args=[eng.pk]))
    assert page.status_code == 200 and "Payment failed" not in page.content.decode()
    settings_page = client.get(reverse("payments:settings")).content.decode()
    assert "Saved: <strong>Visa ending 4242</strong>" in settings_page
    assert selectors.provider_activity(eng)[-1]["kind"] == "transfer"


def test_an_approved_week_is_charged_then_owed_then_transferred(stripe_rail, deliver, owner_api, owner, freelancer,
                                                                 milestone, hourly, week,
                                                                 django_capture_on_commit_callbacks):
    _paid_once(stripe_rail, owner_api, freelancer, milestone, deliver)
    log(week, freelancer, 0, 150)
    services.timesheet_submit(timesheet=week, actor=freelancer.user)
    with django_capture_on_commit_callbacks(execute=True):
        answer = owner_api.post(reverse("api:timesheet-approve", args=[week.pk]), HTTP_IDEMPOTENCY_KEY=new_key())
    assert answer.status_code == 200 and answer.json()["state"] == "approved"
    week.refresh_from_db()
    amount = week.transaction.entries.get(account__kind=AccountKind.PAYABLE).amount
    assert week.transaction.kind == TransactionKind.TIMESHEET and amount > 0
    assert ProviderIntent.objects.get(kind="charge").amount == amount
    assert ProviderIntent.objects.get(kind="transfer", source_transaction=week.transaction).amount == amount
    assert balance(AccountKind.PAID_OUT) == amount


def test_a_declined_card_leaves_the_week_payment_failed_with_nothing_posted(
        stripe_rail, deliver, owner_api, owner, freelancer, milestone, hourly, week, client, mailoutbox,
        django_capture_on_commit_callbacks):
    _paid_once(stripe_rail, owner_api, freelancer, milestone, deliver)
    stripe_rail.decline_payment_method(PaymentCustomer.objects.get().payment_method_id, "authentication_required")
    log(week, freelancer, 0, 120)
    services.timesheet_submit(timesheet=week, actor=freelancer.user)
    ledger_before = Transaction.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        services.timesheet_approve(timesheet=week, actor=owner, idempotency_key=new_key())
    charge = ProviderCharge.objects.get()
    assert charge.status == ChargeStatus.FAILED and "declined" in charge.error
    week.refresh_from_db()
    assert week.state == "approved" and week.transaction is None
    assert Transaction.objects.count() == ledger_before and balance(AccountKind.PAYABLE) == 0
    assert not stripe_rail.objects_of("transfer")
    assert ProviderIntent.objects.get(kind="charge").status == IntentStatus.FAILED
    [row] = [item for item in owner_attention(owner.memberships.get().workspace, user=owner, now=timezone.now())
             if item.kind == "payment_failed"]
    pay_url = reverse("payments:charge_pay", args=[charge.pk])
    assert row.url == pay_url and row.action == "Pay now"
    [note] = Notification.objects.filter(kind="charge_failed")
    assert note.recipient_email == owner.email and note.context["url"].endswith(pay_url)
    client.force_login(owner)
    page = client.get(reverse("payments:timesheet", args=[week.pk])).content.decode()
    assert "Payment failed" in page and pay_url in page

    # The owner pays it through Checkout with another card: owed, transferred, the card saved.
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(pay_url)
    checkout = ProviderIntent.objects.get(kind="checkout", milestone=None)
    assert answer.status_code == 302 and answer["Location"] == checkout.url
    assert checkout.idempotency_key == f"w{charge.workspace_id}:{charge.ledger_key}:checkout-1"
    assert client.post(pay_url)["Location"] == checkout.url  # an open one is answered, not a second
    stripe_rail.complete_checkout(checkout.provider_id)
    deliver(duplicate=True)  # payment_intent.succeeded of the Checkout's payment first, then the session
    charge.refresh_from_db()
    week.refresh_from_db()
    assert charge.status == ChargeStatus.SUCCEEDED and charge.paid_by == checkout
    assert week.transaction == charge.ledger_transaction
    assert ProviderIntent.objects.get(kind="transfer", source_transaction=week.transaction).status == "succeeded"
    assert balance(AccountKind.PAID_OUT) == charge.amount and balance(AccountKind.PAYABLE) == 0
    assert PaymentCustomer.objects.get().payment_method_label == "Visa ending 4242"
    assert PaymentCustomer.objects.get().payment_method_id != stripe_rail.objects[
        ProviderIntent.objects.get(kind="checkout", milestone=milestone).payment_intent_id]["payment_method"]
    assert not [i for i in owner_attention(charge.workspace, user=owner, now=timezone.now())
                if i.kind == "payment_failed"]


def test_no_saved_method_fails_clearly(stripe_rail, owner, engagement, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.bonus_pay(engagement=engagement, actor=owner, amount=5_000, note="Thanks", idempotency_key=new_key())
    charge = ProviderCharge.objects.get()
    assert charge.status == ChargeStatus.FAILED and "No payment method is saved" in charge.error
    assert not stripe_rail.objects_of("payment_intent") and balance(AccountKind.PAYABLE) == 0


def test_a_lost_answer_is_recovered_by_the_sweep_once(stripe_rail, deliver, owner_api, owner, freelancer, milestone,
                                                      django_capture_on_commit_callbacks, time_machine):
    _paid_once(stripe_rail, owner_api, freelancer, milestone, deliver)
    stripe_rail.inject_fault("lost", path="/v1/payment_intents", method="POST", count=3)
    with django_capture_on_commit_callbacks(execute=True):
        services.bonus_pay(engagement=milestone.engagement, actor=owner, amount=20_000, note="Extra",
                           idempotency_key=new_key())
    # Charged at Stripe, every answer lost: nothing owed here, the intent started.
    assert len(_charges(stripe_rail)) == 1
    assert ProviderCharge.objects.get().status == ChargeStatus.PENDING
    assert ProviderIntent.objects.get(kind="charge").status == IntentStatus.STARTED
    assert balance(AccountKind.PAYABLE) == 0 and not Transaction.objects.filter(kind="bonus").exists()
    stripe_rail.pop_events()  # the webhook never arrives either
    assert charges_recovery_sweep() == 0  # too soon: it may still be under way
    time_machine.move_to(timezone.now() + timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert charges_recovery_sweep() == 1
    assert charges_recovery_sweep() == 0
    assert len(_charges(stripe_rail)) == 1 and len(stripe_rail.objects_of("transfer")) == 1
    assert ProviderIntent.objects.get(kind="charge").attempts == 2
    assert Transaction.objects.filter(kind="bonus").count() == 1 and balance(AccountKind.PAID_OUT) == 20_000


def test_a_bank_debit_is_pending_until_stripe_says_it_succeeded(stripe_rail, deliver, owner_api, owner, freelancer,
                                                                milestone, django_capture_on_commit_callbacks):
    _ready_payouts(owner_api, freelancer, stripe_rail, deliver)
    _pay(owner_api, milestone, stripe_rail, deliver, method="us_bank_account")
    stripe_rail.settle(checkout_of(milestone).provider_id, succeeded=True)
    deliver()
    assert PaymentCustomer.objects.get().payment_method_label == "STRIPE TEST BANK ending 6789"
    with django_capture_on_commit_callbacks(execute=True):
        services.bonus_pay(engagement=milestone.engagement, actor=owner, amount=20_000, note="Extra",
                           idempotency_key=new_key())
    charge = ProviderCharge.objects.get()
    assert charge.status == ChargeStatus.PROCESSING and balance(AccountKind.PAYABLE) == 0
    deliver()  # payment_intent.processing: still pending
    [pi] = _charges(stripe_rail)
    stripe_rail.settle(pi["id"], succeeded=True)
    deliver(duplicate=True)
    charge.refresh_from_db()
    assert charge.status == ChargeStatus.SUCCEEDED and balance(AccountKind.PAID_OUT) == 20_000
    assert Transaction.objects.filter(kind="bonus").count() == 1 and len(stripe_rail.objects_of("transfer")) == 1
