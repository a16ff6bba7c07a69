"""The freelancer's money: four disjoint states per currency that add up to what the ledger
holds for them, whatever state each milestone is in."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db.models import Sum

from payments import services
from payments.models import AccountKind, Entry
from payments.selectors import freelancer_escrow_lines, freelancer_money

from ..conftest import balance, fund, new_key, submit
from ..factories import EngagementFactory, MilestoneFactory

pytestmark = pytest.mark.django_db


def _milestone(engagement, amount, title):
    return MilestoneFactory(engagement=engagement, amount=amount, title=title)


@pytest.fixture
def every_state(workspace, owner, freelancer):
    """USD: funded 100, changes requested 200, submitted 300, disputed 400, released 500 (a 50.00
    payout last month, 120.00 this month), refunded 60, a draft; EUR: funded 700, released 800."""
    usd = EngagementFactory(workspace=workspace, freelancer=freelancer, title="Site", currency="USD")
    eur = EngagementFactory(workspace=workspace, freelancer=freelancer, title="Brochure", currency="EUR")
    m = {name: _milestone(usd, amount, name) for name, amount in
         [("funded", 10_000), ("changes", 20_000), ("submitted", 30_000), ("disputed", 40_000),
          ("released", 50_000), ("refunded", 6_000), ("draft", 90_000)]}
    m["eur_funded"], m["eur_released"] = _milestone(eur, 70_000, "EUR funded"), _milestone(eur, 80_000, "EUR released")
    for name in ("funded", "changes", "submitted", "disputed", "released", "refunded", "eur_funded", "eur_released"):
        fund(m[name], owner)
    for name in ("changes", "submitted", "released", "eur_released"):
        submit(m[name])
    services.milestone_request_changes(milestone=m["changes"], actor=owner, feedback="Bigger logo.")
    services.milestone_dispute(milestone=m["disputed"], actor=owner, reason="Not what we agreed.",
                               idempotency_key=new_key())
    services.milestone_refund(milestone=m["refunded"], actor=owner, idempotency_key=new_key(), reason="Dropped")
    for name in ("released", "eur_released"):
        services.milestone_release(milestone=m[name], actor=owner, idempotency_key=new_key())
    with time_machine.travel(datetime(2026, 11, 20, 12, tzinfo=UTC), tick=False):
        services.payout_record(engagement=usd, actor=owner, amount=5_000, method="paypal", reference="OLD",
                               paid_on=date(2026, 11, 20), idempotency_key=new_key())
    with time_machine.travel(datetime(2026, 12, 3, 12, tzinfo=UTC), tick=False):
        services.payout_record(engagement=usd, actor=owner, amount=12_000, method="paypal", reference="NEW",
                               paid_on=date(2026, 12, 3), idempotency_key=new_key())
    return usd, eur, m


def test_each_currency_shows_four_disjoint_states_and_what_was_paid(every_state, freelancer):
    usd, eur, m = every_state
    figures = freelancer_money(freelancer, now=datetime(2026, 12, 6, 12, tzinfo=UTC))
    by_currency = {c.currency: c.as_dict() for c in figures.currencies}
    assert by_currency == {
        "EUR": {"currency": "EUR", "held": 70_000, "in_review": 0, "disputed": 0, "payable": 80_000,
                "paid_out_this_month": 0, "paid_out_total": 0},
        "USD": {"currency": "USD", "held": 30_000, "in_review": 30_000, "disputed": 40_000, "payable": 33_000,
                "paid_out_this_month": 12_000, "paid_out_total": 17_000},
    }
    usd_money = figures.currencies[1]
    assert {x.title for x in usd_money.milestones["held"]} == {"funded", "changes"}
    assert [x.title for x in usd_money.milestones["disputed"]] == ["disputed"]
    [in_review] = usd_money.milestones["in_review"]
    assert in_review.pk == m["submitted"].pk and in_review.review_deadline_at is not None
    assert figures.for_engagement(usd).as_dict() == {"id": usd.pk, "title": "Site", "currency": "USD",
                                                     "held": 30_000, "in_review": 30_000, "payable": 33_000,
                                                     "paid_out": 17_000}


def test_the_figures_equal_the_ledger(every_state, freelancer):
    usd, eur, _ = every_state
    figures = {c.currency: c for c in freelancer_money(freelancer).currencies}
    for engagement in (usd, eur):
        c = figures[engagement.currency]
        assert c.held + c.in_review + c.disputed == balance(AccountKind.ESCROW, engagement=engagement)
        assert c.payable == _sum(freelancer, AccountKind.PAYABLE, engagement.currency)
        assert c.paid_out_total == _sum(freelancer, AccountKind.PAID_OUT, engagement.currency)
    escrow_total = sum(e.amount for e in freelancer_escrow_lines(freelancer))
    assert escrow_total == sum(c.held + c.in_review + c.disputed for c in figures.values())


def _sum(freelancer, kind, currency):
    return Entry.objects.filter(account__freelancer=freelancer, account__kind=kind, currency=currency).aggregate(
        t=Sum("amount"))["t"] or 0


def test_a_freelancer_with_nothing_funded_has_no_figures(freelancer, engagement):
    assert freelancer_money(freelancer).is_empty


def test_only_the_first_ten_milestones_of_a_figure_are_read_and_the_rest_counted(
        workspace, owner, freelancer, django_assert_max_num_queries):
    site = EngagementFactory(workspace=workspace, freelancer=freelancer, title="Site", currency="USD")
    held = [_milestone(site, 1_000 + i, f"Part {i}") for i in range(12)]
    for m in held:
        fund(m, owner)
    with django_assert_max_num_queries(3):  # escrow figures, the milestones shown, payable and paid out
        figures = freelancer_money(freelancer)
        [usd] = figures.currencies
    assert usd.held == sum(m.amount for m in held)
    assert usd.milestone_counts == {"held": 12, "in_review": 0, "disputed": 0}
    assert [m.title for m in usd.milestones["held"]] == [m.title for m in held[:10]]  # soonest due, then oldest
    assert [m.escrowed for m in usd.milestones["held"]] == [m.amount for m in held[:10]]
