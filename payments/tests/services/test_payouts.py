from datetime import date, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from notifications.models import Notification
from payments import services
from payments.errors import BudgetExceeded, CurrencyMismatch, InsufficientFunds, InvalidInput, NotAllowed
from payments.gateways import PayoutGateway, PayoutResult, looks_like_card_number
from payments.models import AccountKind, Entry, Payout, Transaction
from payments.selectors import budget_figures, owed_on

from ..conftest import new_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def released(submitted, owner):
    services.milestone_release(milestone=submitted, actor=owner, idempotency_key=new_key())
    return submitted


def pay(engagement, owner, amount, **kwargs):
    params = {"method": "bank_transfer", "reference": "TRF-1", "paid_on": date(2026, 1, 5),
              "idempotency_key": new_key(), **kwargs}
    return services.payout_record(engagement=engagement, actor=owner, amount=amount, **params)


def test_a_bonus_is_owed_at_once_and_counts_against_the_budget(engagement, owner, freelancer):
    services.bonus_pay(engagement=engagement, actor=owner, amount=25_000, note="Launched early",
                       idempotency_key="b1")
    figures = budget_figures(engagement)
    assert (figures.bonuses, figures.owed, figures.committed) == (25_000, 25_000, 25_000)
    assert Notification.objects.get(kind="bonus_paid").context["note"] == "Launched early"


def test_a_bonus_needs_a_note_a_positive_amount_and_the_right_currency(engagement, owner):
    with pytest.raises(InvalidInput, match="note"):
        services.bonus_pay(engagement=engagement, actor=owner, amount=100, note="", idempotency_key=new_key())
    with pytest.raises(InvalidInput, match="greater than zero"):
        services.bonus_pay(engagement=engagement, actor=owner, amount=-5, note="x", idempotency_key=new_key())
    with pytest.raises(CurrencyMismatch):
        services.bonus_pay(engagement=engagement, actor=owner, amount=5, note="x", currency="EUR",
                           idempotency_key=new_key())
    with pytest.raises(BudgetExceeded, match=r"11,500\.01 USD, past the budget with contingency \(11,500\.00 USD\)"):
        services.bonus_pay(engagement=engagement, actor=owner, amount=1_150_001, note="x", idempotency_key=new_key())
    assert Transaction.objects.count() == 0


def test_payout_moves_what_is_owed_to_paid_out(released, owner, engagement, freelancer):
    tx = pay(engagement, owner, 100_000, reference="BANK-2026-001")
    payout = Payout.objects.get()
    assert (payout.amount, payout.method, payout.reference, payout.transaction) == (100_000, "bank_transfer",
                                                                                  "BANK-2026-001", tx)
    assert payout.gateway == "payments.gateways.OffPlatformGateway"
    assert owed_on(engagement) == 50_000
    assert budget_figures(engagement).paid_out == 100_000
    assert Entry.objects.get(transaction=tx, account__kind=AccountKind.PAID_OUT).amount == 100_000
    assert Notification.objects.filter(kind="payout_sent", recipient_email=freelancer.email).exists()


def test_a_payout_cannot_exceed_what_is_owed(released, owner, engagement):
    with pytest.raises(InsufficientFunds, match=r"Only 1,500\.00 USD is owed .* cannot exceed what is owed"):
        pay(engagement, owner, 150_001)
    pay(engagement, owner, 150_000)
    with pytest.raises(InsufficientFunds):
        pay(engagement, owner, 1)
    assert Payout.objects.count() == 1


def test_payout_refuses_bad_input(released, owner, engagement):
    with pytest.raises(InvalidInput, match="how the money was sent"):
        pay(engagement, owner, 100, method="card")
    with pytest.raises(InvalidInput, match="future"):
        pay(engagement, owner, 100, paid_on=timezone.localdate() + timedelta(days=5))
    with pytest.raises(InvalidInput, match="reference"):
        pay(engagement, owner, 100, reference="  ")
    with pytest.raises(InvalidInput, match="card number"):
        pay(engagement, owner, 100, reference="paid with 4242-4242-4242-4242")
    assert Payout.objects.count() == 0


def test_only_the_owner_records_payouts(released, manager, engagement):
    with pytest.raises(NotAllowed):
        pay(engagement, manager, 100)


def test_a_retried_payout_is_recorded_once(released, owner, engagement):
    first = pay(engagement, owner, 10_000, idempotency_key="p1")
    again = pay(engagement, owner, 10_000, idempotency_key="p1")
    assert again.pk == first.pk and again.replayed
    assert Payout.objects.count() == 1


@pytest.mark.parametrize(("text", "card"), [
    ("4111 1111 1111 1111", True), ("ref 5555555555554444", True), ("PP-7781-2291", False),
    ("1234567890123", False), ("IBAN DE89 3704 0044 0532 0130 00", False),
])
def test_card_numbers_are_recognised(text, card):
    assert looks_like_card_number(text) is card


class RecordingGateway(PayoutGateway):
    name = "test"
    methods = (("acme_pay", "Acme Pay"),)
    calls = []

    def transfer(self, request):
        RecordingGateway.calls.append(request)
        return PayoutResult(reference=f"ACME-{request.idempotency_key}")


def test_the_gateway_is_pluggable(released, owner, engagement):
    with override_settings(PAYMENTS_PAYOUT_GATEWAY="payments.tests.services.test_payouts.RecordingGateway"):
        pay(engagement, owner, 5_000, method="acme_pay", reference="ignored", idempotency_key="gw-1")
    payout = Payout.objects.get()
    assert payout.reference == "ACME-gw-1" and payout.gateway.endswith("RecordingGateway")
    assert RecordingGateway.calls[-1].amount == 5_000
