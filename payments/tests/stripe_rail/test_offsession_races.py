"""Off-session charges exactly once under races and out-of-order webhooks, on real PostgreSQL:
two owners approving the same week at once, or sending the same bonus twice at once, make one
charge and one transfer; a charge whose answer was lost is settled by its webhooks (delivered
twice, newest first) and the recovery sweep afterwards finds nothing to do."""

from datetime import timedelta

import pytest
from django.utils import timezone

from payments import services
from payments.errors import StateConflict
from payments.models import AccountKind, ChargeStatus, ProviderCharge, ProviderIntent, Transaction
from payments.services.provider_charges import charges_recovery_sweep
from payments.tests.conftest import balance, log, new_key
from payments.tests.services.test_concurrency import race

from .test_money_moves import _pay, _ready_payouts

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _charges(fake):
    return [pi for pi in fake.objects_of("payment_intent") if pi["metadata"].get("ledger_key")
            and pi["payment_method_types"] == ["card"] and pi["setup_future_usage"] is None]


def test_two_approvals_at_once_charge_and_transfer_once(stripe_rail, deliver, owner_api, owner, freelancer,
                                                        milestone, hourly, week):
    _ready_payouts(owner_api, freelancer, stripe_rail, deliver)
    _pay(owner_api, milestone, stripe_rail, deliver)
    log(week, freelancer, 0, 90)
    services.timesheet_submit(timesheet=week, actor=freelancer.user)
    outcomes = race(lambda: services.timesheet_approve(timesheet=week, actor=owner, idempotency_key=new_key()),
                    lambda: services.timesheet_approve(timesheet=week, actor=owner, idempotency_key=new_key()))
    errors = [exc for _, exc in outcomes if exc is not None]
    assert len(errors) == 1 and isinstance(errors[0], StateConflict)
    assert ProviderCharge.objects.count() == 1 and len(_charges(stripe_rail)) == 1
    assert len(stripe_rail.objects_of("transfer")) == 1
    week.refresh_from_db()
    assert Transaction.objects.filter(kind="timesheet").count() == 1 and week.transaction is not None
    assert balance(AccountKind.PAID_OUT) == ProviderCharge.objects.get().amount


def test_the_same_bonus_twice_at_once_is_one_charge(stripe_rail, deliver, owner_api, owner, freelancer, milestone):
    _ready_payouts(owner_api, freelancer, stripe_rail, deliver)
    _pay(owner_api, milestone, stripe_rail, deliver)
    key, eng = new_key(), milestone.engagement

    def send():
        return services.bonus_pay(engagement=eng, actor=owner, amount=20_000, note="Launch", idempotency_key=key)

    outcomes = race(send, send)
    assert [exc for _, exc in outcomes] == [None, None]
    assert ProviderCharge.objects.count() == 1 and len(_charges(stripe_rail)) == 1
    assert len(stripe_rail.objects_of("transfer")) == 1 and balance(AccountKind.PAID_OUT) == 20_000


def test_a_lost_answer_settled_by_its_webhooks_in_any_order(stripe_rail, deliver, owner_api, owner, freelancer,
                                                            milestone, time_machine):
    _ready_payouts(owner_api, freelancer, stripe_rail, deliver)
    _pay(owner_api, milestone, stripe_rail, deliver)
    stripe_rail.inject_fault("lost", path="/v1/payment_intents", method="POST", count=3)
    services.bonus_pay(engagement=milestone.engagement, actor=owner, amount=20_000, note="Extra",
                       idempotency_key=new_key())
    charge = ProviderCharge.objects.get()
    assert charge.status == ChargeStatus.PENDING and balance(AccountKind.PAYABLE) == 0
    assert all(r.status_code == 200 for r in deliver(duplicate=True, reverse=True))
    charge.refresh_from_db()
    assert charge.status == ChargeStatus.SUCCEEDED and balance(AccountKind.PAID_OUT) == 20_000
    time_machine.move_to(timezone.now() + timedelta(minutes=5))
    assert charges_recovery_sweep() == 0
    assert len(_charges(stripe_rail)) == 1 and len(stripe_rail.objects_of("transfer")) == 1
    assert ProviderIntent.objects.get(kind="charge").status == "succeeded"
    assert Transaction.objects.filter(kind="bonus").count() == 1
