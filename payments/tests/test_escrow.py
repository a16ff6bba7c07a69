import pytest
from django.db.models import Sum

from engagements.models import MilestoneState
from engagements.services.transitions import milestone_transition
from notifications.models import Notification
from payments import services
from payments.errors import (
    BudgetExceeded,
    CurrencyMismatch,
    InvalidInput,
    NotAllowed,
    StateConflict,
)
from payments.models import AccountKind, BudgetChange, Dispute, Entry, Transaction
from payments.selectors import budget_figures

from .conftest import fund, new_key, submit

pytestmark = pytest.mark.django_db


def ledger_size():
    return Transaction.objects.count(), Entry.objects.count()


def balance(kind, **owner):
    return Entry.objects.filter(account__kind=kind, **{f"account__{k}": v for k, v in owner.items()}).aggregate(
        t=Sum("amount"))["t"] or 0


def test_funding_moves_the_milestone_amount_from_the_owner_into_escrow(milestone, owner, engagement):
    tx = services.milestone_fund(milestone=milestone, actor=owner, idempotency_key="k1")
    milestone.refresh_from_db()
    assert milestone.state == MilestoneState.FUNDED
    assert tx.kind == "fund" and tx.actor == owner and not tx.automatic
    assert balance(AccountKind.ESCROW, engagement=engagement) == 150_000
    assert balance(AccountKind.OWNER_FUNDING, workspace=engagement.workspace) == -150_000
    assert sum(e.amount for e in tx.entries.all()) == 0


def test_funding_emails_the_freelancer(milestone, owner):
    fund(milestone, owner)
    note = Notification.objects.get(kind="escrow_funded")
    assert note.recipient_email == "frida@example.com"
    assert note.context["amount"] == "1,500.00 USD"


def test_money_events_appear_on_the_engagement_timeline(submitted, owner, engagement):
    from engagements.models import Activity

    services.milestone_release(milestone=submitted, actor=owner, idempotency_key=new_key())
    lines = list(Activity.objects.filter(engagement=engagement).values_list("kind", "summary"))
    assert ("escrow_funded", "Funded “Home page”: 1,500.00 USD held in escrow.") in lines
    assert ("escrow_released", "Released “Home page” to the freelancer.") in lines


def test_it_refuses_funding_a_milestone_twice_and_writes_nothing(funded, owner):
    from engagements.models import Activity

    lines = Activity.objects.count()
    before = ledger_size()
    with pytest.raises(StateConflict, match="Funded"):
        services.milestone_fund(milestone=funded, actor=owner, idempotency_key=new_key())
    assert ledger_size() == before
    assert Activity.objects.count() == lines


def test_it_refuses_funding_beyond_budget_plus_contingency(make_milestone, owner, engagement):
    # budget 10,000.00 + 15 % = 11,500.00
    fund(make_milestone(amount=1_100_000), owner)
    big = make_milestone(amount=60_000)
    before = ledger_size()
    with pytest.raises(BudgetExceeded, match="Raise the budget") as refused:
        fund(big, owner)
    # Said in money, not in minor units.
    assert "11,600.00" in str(refused.value) and "11,500.00" in str(refused.value)
    big.refresh_from_db()
    assert big.state == MilestoneState.DRAFT
    assert ledger_size() == before


def test_raising_the_budget_is_recorded_and_then_funding_passes(make_milestone, owner, engagement):
    fund(make_milestone(amount=1_100_000), owner)
    big = make_milestone(amount=60_000)
    change = services.engagement_budget_change(engagement=engagement, actor=owner, budget=1_100_000,
                                               reason="Extra page agreed on the call")
    assert (change.old_budget, change.new_budget, change.changed_by) == (1_000_000, 1_100_000, owner)
    engagement.refresh_from_db()
    assert engagement.budget == 1_100_000
    fund(big, owner)
    assert BudgetChange.objects.filter(engagement=engagement).count() == 1


def test_budget_cannot_be_lowered_below_what_is_committed(funded, owner, engagement):
    with pytest.raises(InvalidInput, match="committed"):
        services.engagement_budget_change(engagement=engagement, actor=owner, budget=100_000,
                                          contingency_percent=0, reason="Cut")


def test_a_manager_cannot_move_money(milestone, manager):
    with pytest.raises(NotAllowed, match="owner"):
        services.milestone_fund(milestone=milestone, actor=manager, idempotency_key=new_key())
    assert ledger_size() == (0, 0)


def test_the_freelancer_cannot_fund_or_release(submitted, freelancer):
    before = ledger_size()
    with pytest.raises(NotAllowed):
        services.milestone_release(milestone=submitted, actor=freelancer.user, idempotency_key=new_key())
    assert ledger_size() == before


def test_it_refuses_a_milestone_priced_in_another_currency(make_milestone, owner):
    eur = make_milestone(currency="EUR")
    with pytest.raises(CurrencyMismatch):
        fund(eur, owner)
    eur.refresh_from_db()
    assert eur.state == MilestoneState.DRAFT
    assert ledger_size() == (0, 0)


def test_it_refuses_a_confirmed_amount_that_no_longer_matches(milestone, owner):
    with pytest.raises(InvalidInput, match="changed since you confirmed"):
        services.milestone_fund(milestone=milestone, actor=owner, idempotency_key=new_key(), expected_amount=100)
    with pytest.raises(CurrencyMismatch):
        services.milestone_fund(milestone=milestone, actor=owner, idempotency_key=new_key(), currency="GBP")
    assert ledger_size() == (0, 0)


def test_release_moves_escrow_to_what_is_owed_to_the_freelancer(submitted, owner, engagement, freelancer):
    tx = services.milestone_release(milestone=submitted, actor=owner, idempotency_key=new_key())
    submitted.refresh_from_db()
    assert submitted.state == MilestoneState.RELEASED
    assert submitted.review_deadline_at is None
    assert tx.kind == "release"
    assert balance(AccountKind.ESCROW, engagement=engagement) == 0
    assert balance(AccountKind.PAYABLE, freelancer=freelancer) == 150_000
    assert Notification.objects.filter(kind="escrow_released", recipient_email="frida@example.com").exists()


def test_it_refuses_releasing_work_that_was_never_submitted(funded, owner):
    before = ledger_size()
    with pytest.raises(StateConflict, match="Funded"):
        services.milestone_release(milestone=funded, actor=owner, idempotency_key=new_key())
    assert ledger_size() == before


def test_either_side_can_dispute_and_the_money_is_frozen(submitted, owner, freelancer, engagement):
    services.milestone_dispute(milestone=submitted, actor=freelancer.user, reason="Paid late feedback",
                               idempotency_key=new_key())
    submitted.refresh_from_db()
    assert submitted.state == MilestoneState.DISPUTED
    dispute = Dispute.objects.get(milestone=submitted)
    assert (dispute.side, dispute.escrowed, dispute.from_state) == ("freelancer", 150_000, "submitted")
    before = ledger_size()
    with pytest.raises(StateConflict, match="Disputed"):
        services.milestone_release(milestone=submitted, actor=owner, idempotency_key=new_key())
    with pytest.raises(StateConflict):
        services.milestone_refund(milestone=submitted, actor=owner, idempotency_key=new_key())
    assert ledger_size() == before
    assert balance(AccountKind.ESCROW, engagement=engagement) == 150_000
    # The owner hears about it.
    assert Notification.objects.filter(kind="escrow_disputed", recipient_email=owner.email).exists()


def test_a_dispute_needs_a_reason(funded, owner):
    with pytest.raises(InvalidInput, match="what the dispute is about"):
        services.milestone_dispute(milestone=funded, actor=owner, reason="  ", idempotency_key=new_key())
    funded.refresh_from_db()
    assert funded.state == MilestoneState.FUNDED


def test_a_stranger_cannot_dispute(funded, outsider):
    with pytest.raises(NotAllowed):
        services.milestone_dispute(milestone=funded, actor=outsider, reason="x", idempotency_key=new_key())


@pytest.mark.parametrize(("release", "refund", "state"), [
    (150_000, 0, MilestoneState.RELEASED),
    (0, 150_000, MilestoneState.REFUNDED),
    (100_000, 50_000, MilestoneState.SPLIT),
])
def test_resolve_splits_the_escrow(submitted, owner, engagement, freelancer, release, refund, state):
    services.milestone_dispute(milestone=submitted, actor=owner, reason="Half done", idempotency_key=new_key())
    services.milestone_resolve(milestone=submitted, actor=owner, release_amount=release, refund_amount=refund,
                               idempotency_key=new_key(), note="Agreed on a call")
    submitted.refresh_from_db()
    assert submitted.state == state
    assert balance(AccountKind.ESCROW, engagement=engagement) == 0
    assert balance(AccountKind.PAYABLE, freelancer=freelancer) == release
    dispute = Dispute.objects.get(milestone=submitted)
    assert dispute.outcome == state and dispute.resolved_by == owner and not dispute.is_open
    figures = budget_figures(engagement)
    assert (figures.released, figures.refunded, figures.in_escrow) == (release, refund, 0)


@pytest.mark.parametrize(("release", "refund", "error"), [
    (100_000, 10_000, "add up to what is in escrow"),
    (150_001, 0, "add up to what is in escrow"),
    (-1, 150_001, "negative"),
    (0, 0, "both amounts are zero"),
    ("lots", 0, "whole numbers"),
])
def test_resolve_refuses_amounts_that_do_not_match_the_escrow(submitted, owner, release, refund, error):
    services.milestone_dispute(milestone=submitted, actor=owner, reason="Half done", idempotency_key=new_key())
    before = ledger_size()
    with pytest.raises(InvalidInput, match=error):
        services.milestone_resolve(milestone=submitted, actor=owner, release_amount=release,
                                   refund_amount=refund, idempotency_key=new_key())
    submitted.refresh_from_db()
    assert submitted.state == MilestoneState.DISPUTED
    assert ledger_size() == before


def test_resolving_a_milestone_that_is_not_disputed_is_refused(submitted, owner):
    with pytest.raises(StateConflict):
        services.milestone_resolve(milestone=submitted, actor=owner, release_amount=150_000, refund_amount=0,
                                   idempotency_key=new_key())


def test_refund_returns_the_escrow_and_cancels_the_milestone(funded, owner, engagement):
    services.milestone_refund(milestone=funded, actor=owner, idempotency_key=new_key(), reason="Scope dropped")
    funded.refresh_from_db()
    assert funded.state == MilestoneState.REFUNDED
    assert balance(AccountKind.ESCROW, engagement=engagement) == 0
    assert balance(AccountKind.OWNER_FUNDING, workspace=engagement.workspace) == 0
    assert Notification.objects.filter(kind="escrow_refunded").exists()


def test_refund_is_refused_once_work_was_submitted(submitted, owner):
    with pytest.raises(StateConflict, match="Submitted"):
        services.milestone_refund(milestone=submitted, actor=owner, idempotency_key=new_key())


def test_an_amount_edited_after_funding_does_not_change_what_is_released(submitted, owner, freelancer):
    # The ledger, not the milestone row, says what is in escrow.
    type(submitted).objects.filter(pk=submitted.pk).update(amount=999_999)
    services.milestone_release(milestone=submitted, actor=owner, idempotency_key=new_key())
    assert balance(AccountKind.PAYABLE, freelancer=freelancer) == 150_000


def test_changes_requested_then_resubmitted_can_be_released(submitted, owner):
    milestone_transition(milestone_id=submitted.pk, to_state="changes_requested")
    submit(submitted)
    services.milestone_release(milestone=submitted, actor=owner, idempotency_key=new_key())
    submitted.refresh_from_db()
    assert submitted.state == MilestoneState.RELEASED
