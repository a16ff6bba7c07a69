"""The budget counts money asked of Stripe before the ledger posts it: a bonus being charged (or
whose charge failed, which the owner can still pay) and a milestone's checkout under way. Without
it, two bonuses or two checkouts in flight each passed a budget check that both together break."""

import pytest

from engagements.models import Engagement
from payments import services
from payments.errors import BudgetExceeded
from payments.models import ChargeStatus, IntentStatus, ProviderCharge
from payments.tests.conftest import new_key
from payments.tests.factories import MilestoneFactory

from .conftest import checkout_of

pytestmark = pytest.mark.django_db


def test_a_bonus_being_charged_counts_against_the_next_one(stripe_rail, engagement, owner):
    # Budget 1,000,000 with 15 % contingency: 1,150,000. The first charge is not made yet (after commit).
    first = services.bonus_pay(engagement=engagement, actor=owner, amount=1_000_000, note="Launch week",
                               idempotency_key=new_key())
    assert isinstance(first, ProviderCharge) and first.status == ChargeStatus.PENDING

    with pytest.raises(BudgetExceeded) as refused:
        services.bonus_pay(engagement=engagement, actor=owner, amount=200_000, note="Extra", idempotency_key=new_key())
    assert "12,000.00 USD (with 10,000.00 USD being charged)" in refused.value.message
    ProviderCharge.objects.filter(pk=first.pk).update(status=ChargeStatus.FAILED)  # still payable: still counted
    with pytest.raises(BudgetExceeded):
        services.bonus_pay(engagement=engagement, actor=owner, amount=200_000, note="Extra", idempotency_key=new_key())
    assert services.bonus_pay(engagement=engagement, actor=owner, amount=150_000, note="Within",
                              idempotency_key=new_key()).status == ChargeStatus.PENDING
    assert ProviderCharge.objects.count() == 2


def test_a_checkout_under_way_counts_against_funding_another_milestone(stripe_rail, engagement, owner):
    Engagement.objects.filter(pk=engagement.pk).update(budget=200_000, contingency_percent=0)
    engagement.refresh_from_db()
    first = MilestoneFactory(engagement=engagement, amount=150_000)
    second = MilestoneFactory(engagement=engagement, amount=100_000)
    services.milestone_checkout_start(milestone=first, actor=owner, idempotency_key=new_key())
    assert checkout_of(first).status == IntentStatus.PENDING

    with pytest.raises(BudgetExceeded) as refused:
        services.milestone_checkout_start(milestone=second, actor=owner, idempotency_key=new_key())
    assert "already being paid through Stripe" in refused.value.message
    # The same milestone's own checkout is not counted twice: asking again answers it.
    assert services.milestone_checkout_start(milestone=first, actor=owner, idempotency_key=new_key()) == (
        checkout_of(first))
    # Abandoned, it no longer counts.
    checkout_of(first).__class__.objects.filter(milestone=first).update(status=IntentStatus.CANCELED)
    services.milestone_checkout_start(milestone=second, actor=owner, idempotency_key=new_key())
    assert checkout_of(second).status == IntentStatus.PENDING
