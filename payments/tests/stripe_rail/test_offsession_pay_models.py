"""Retainer periods and commissions on the Stripe rail: a period is charged off session at its
start and funded (held in the platform's balance) only once the charge succeeded, released at
its end by a transfer from that charge, a disputed one settled by a transfer and a refund; a
commission is charged when accepted or when its window lapses, then transferred. The sweeps run
twice, and two approvals race: one charge, one transfer."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from payments import services
from payments.models import (
    AccountKind,
    ChargeStatus,
    IntentStatus,
    PaymentCustomer,
    ProviderCharge,
    ProviderIntent,
    RetainerPeriod,
    Transaction,
)
from payments.reminders.pay_models import pay_models_sweep
from payments.selectors.attention import owner_attention
from payments.services.reconciliation_balance import held_at_provider
from payments.tests.conftest import balance, new_key
from payments.tests.factories import EngagementFactory

from .test_money_moves import _pay, _ready_payouts

pytestmark = pytest.mark.django_db


def _fee(amount):
    return amount * 29 // 1000 + 30


@pytest.fixture
def saved(stripe_rail, deliver, owner_api, freelancer, milestone):
    """Payouts ready and the owner's card saved by one milestone's Checkout (150,000 paid)."""
    account = _ready_payouts(owner_api, freelancer, stripe_rail, deliver)
    _pay(owner_api, milestone, stripe_rail, deliver)
    return account


def _sweep(capture):
    with capture(execute=True):
        return pay_models_sweep()


def test_a_retainer_period_is_charged_funded_released_and_transferred_once(
        stripe_rail, saved, workspace, freelancer, time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to(datetime(2026, 2, 1, 9, 0, tzinfo=UTC), tick=False)
    retainer = EngagementFactory(workspace=workspace, freelancer=freelancer, pay_terms="retainer",
                                 retainer_amount=300_000, retainer_hours=20, starts_on=date(2026, 1, 31),
                                 budget=2_000_000)
    platform = stripe_rail.platform_balance("usd")["pending"]
    assert _sweep(django_capture_on_commit_callbacks)["retainers_funded"] == 1
    assert _sweep(django_capture_on_commit_callbacks)["retainers_funded"] == 0
    period = RetainerPeriod.objects.get(engagement=retainer)
    charge = ProviderCharge.objects.get(retainer_period=period)
    assert period.state == "funded" and period.funded_transaction == charge.ledger_transaction
    assert charge.ledger_key == f"retainer-fund:{retainer.pk}:2026-01-31"
    intent = ProviderIntent.objects.get(kind="charge")
    assert intent.idempotency_key == f"w{retainer.workspace_id}:{charge.ledger_key}:charge"
    # Held in the platform's balance (less Stripe's fee) and in the ledger's escrow; nothing sent yet.
    assert stripe_rail.platform_balance("usd")["pending"] == platform + 300_000 - _fee(300_000)
    assert balance(AccountKind.ESCROW, engagement=retainer) == 300_000
    assert not ProviderIntent.objects.filter(kind="transfer", engagement=retainer).exists()
    # The nightly balance check counts it as held at Stripe, beside the milestone's 150,000.
    assert held_at_provider() == {(workspace.pk, "USD"): 450_000}

    time_machine.move_to(datetime(2026, 2, 28, 0, 5, tzinfo=UTC), tick=False)
    result = _sweep(django_capture_on_commit_callbacks)
    assert result["retainers_released"] == 1 and result["retainers_funded"] == 1  # the next month, charged
    period.refresh_from_db()
    transfer = ProviderIntent.objects.get(kind="transfer", source_transaction=period.closed_transaction)
    assert transfer.status == IntentStatus.SUCCEEDED and transfer.amount == 300_000
    [made] = stripe_rail.objects_of("transfer", id=transfer.provider_id)
    assert made["source_transaction"] == charge.paid_by.charge_id
    held = stripe_rail.connected_balance(saved.provider_account_id, "usd")
    assert held["available"] + held["pending"] == 300_000
    assert balance(AccountKind.PAID_OUT) == 300_000 and balance(AccountKind.ESCROW, engagement=retainer) == 300_000
    assert ProviderCharge.objects.filter(purpose="retainer", status="succeeded").count() == 2
    assert _sweep(django_capture_on_commit_callbacks)["retainers_released"] == 0
    assert len(stripe_rail.objects_of("transfer")) == 1
    # The first month's money left with its transfer; the second month's is held now.
    assert held_at_provider() == {(workspace.pk, "USD"): 450_000}


def test_a_disputed_period_is_split_by_a_transfer_and_a_refund(
        stripe_rail, saved, workspace, owner, freelancer, time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to(datetime(2026, 2, 1, 9, 0, tzinfo=UTC), tick=False)
    retainer = EngagementFactory(workspace=workspace, freelancer=freelancer, pay_terms="retainer",
                                 retainer_amount=300_000, retainer_hours=20, starts_on=date(2026, 1, 31),
                                 budget=2_000_000)
    _sweep(django_capture_on_commit_callbacks)
    period = RetainerPeriod.objects.get(engagement=retainer)
    services.retainer_period_dispute(period=period, actor=freelancer.user, reason="Half the month was a holiday")
    with django_capture_on_commit_callbacks(execute=True):
        services.retainer_period_resolve(period=period, actor=owner, release_amount=180_000, refund_amount=120_000,
                                         idempotency_key=new_key())
    period.refresh_from_db()
    charge_id = ProviderCharge.objects.get(retainer_period=period).paid_by.charge_id
    moves = ProviderIntent.objects.filter(source_transaction=period.closed_transaction)
    assert {(m.kind, m.amount, m.status) for m in moves} == {("transfer", 180_000, "succeeded"),
                                                             ("refund", 120_000, "succeeded")}
    [refund] = stripe_rail.objects_of("refund", charge=charge_id)
    assert refund["amount"] == 120_000
    assert stripe_rail.objects[charge_id]["amount_refunded"] == 120_000
    assert balance(AccountKind.PAID_OUT) == 180_000 and balance(AccountKind.ESCROW, engagement=retainer) == 0


def test_a_declined_period_stays_payment_pending_and_is_never_released(
        stripe_rail, saved, workspace, owner, freelancer, time_machine, django_capture_on_commit_callbacks):
    stripe_rail.decline_payment_method(PaymentCustomer.objects.get().payment_method_id, "insufficient_funds")
    time_machine.move_to(datetime(2026, 2, 1, 9, 0, tzinfo=UTC), tick=False)
    retainer = EngagementFactory(workspace=workspace, freelancer=freelancer, pay_terms="retainer",
                                 retainer_amount=300_000, retainer_hours=20, starts_on=date(2026, 1, 31))
    assert _sweep(django_capture_on_commit_callbacks)["retainers_funded"] == 1
    period = RetainerPeriod.objects.get(engagement=retainer)
    assert period.state == "payment_pending" and period.funded_transaction is None
    assert ProviderCharge.objects.get(retainer_period=period).status == ChargeStatus.FAILED
    assert balance(AccountKind.ESCROW, engagement=retainer) == 0
    assert [i.kind for i in owner_attention(workspace, user=owner, now=timezone.now())].count("payment_failed") == 1
    time_machine.move_to(datetime(2026, 2, 28, 0, 5, tzinfo=UTC), tick=False)
    assert _sweep(django_capture_on_commit_callbacks)["retainers_released"] == 0  # nothing held: nothing to release
    assert not Transaction.objects.filter(engagement=retainer).exists()


def test_commission_charged_on_acceptance_and_when_the_window_lapses(
        stripe_rail, saved, workspace, owner, freelancer, time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to(datetime(2026, 3, 10, 9, 0, tzinfo=UTC), tick=False)
    seller = EngagementFactory(workspace=workspace, freelancer=freelancer, pay_terms="commission",
                               commission_percent=Decimal("12.5"))
    january = services.commission_report_create(engagement=seller, actor=owner, period=date(2026, 1, 1),
                                                base_amount=80_000)
    february = services.commission_report_create(engagement=seller, actor=owner, period=date(2026, 2, 1),
                                                 base_amount=40_000)
    key = new_key()
    with django_capture_on_commit_callbacks(execute=True):
        first = services.commission_report_accept(report=january, actor=freelancer.user, idempotency_key=key)
    assert isinstance(first, ProviderCharge) and not first.replayed
    with django_capture_on_commit_callbacks(execute=True):
        assert services.commission_report_accept(report=january, actor=freelancer.user, idempotency_key=key).replayed
    time_machine.move_to(february.dispute_deadline_at + timedelta(minutes=1), tick=False)
    assert _sweep(django_capture_on_commit_callbacks)["commissions_released"] == 1
    assert _sweep(django_capture_on_commit_callbacks)["commissions_released"] == 0
    january.refresh_from_db()
    february.refresh_from_db()
    assert january.released_transaction.kind == "commission" and february.released_transaction.automatic
    charges = ProviderIntent.objects.filter(kind="charge", engagement=seller)
    assert sorted(charges.values_list("amount", flat=True)) == [5_000, 10_000]
    transfers = ProviderIntent.objects.filter(kind="transfer", engagement=seller, status="succeeded")
    assert sorted(transfers.values_list("amount", flat=True)) == [5_000, 10_000]
    assert {t["source_transaction"] for t in stripe_rail.objects_of("transfer")} >= set(
        charges.values_list("charge_id", flat=True))
    assert balance(AccountKind.PAID_OUT) == 15_000 and balance(AccountKind.PAYABLE) == 0
