import pytest

from engagements.models import Activity, MilestoneState
from notifications.models import Notification
from payments import services
from payments.errors import (
    BudgetExceeded,
    CurrencyMismatch,
    InvalidInput,
    NotAllowed,
    StateConflict,
)
from payments.models import AccountKind

from ..conftest import balance, fund, ledger_size, new_key, submit

pytestmark = pytest.mark.django_db


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
    services.milestone_release(milestone=submitted, actor=owner, idempotency_key=new_key())
    lines = list(Activity.objects.filter(engagement=engagement).values_list("kind", "summary"))
    assert ("escrow_funded", "Funded “Home page”: 1,500.00 USD in held funds.") in lines
    assert ("escrow_released", "Released “Home page” to the freelancer.") in lines


def test_it_refuses_funding_a_milestone_twice_and_writes_nothing(funded, owner):
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
    services.milestone_request_changes(milestone=submitted, actor=owner, feedback="Again, please.")
    submit(submitted)
    services.milestone_release(milestone=submitted, actor=owner, idempotency_key=new_key())
    submitted.refresh_from_db()
    assert submitted.state == MilestoneState.RELEASED


def test_the_owner_asks_for_changes_and_the_resubmitted_work_is_released(submitted, owner, freelancer):
    services.milestone_request_changes(milestone=submitted, actor=owner, feedback="Bigger buttons, please.")
    submitted.refresh_from_db()
    assert submitted.state == MilestoneState.CHANGES_REQUESTED
    first = submitted.submissions.get()
    assert (first.outcome, first.feedback) == ("changes_requested", "Bigger buttons, please.")
    services.milestone_submit_for_review(milestone_id=submitted.pk, freelancer=freelancer, message="Bigger now.",
                                         attest_own_work=True)
    services.milestone_release(milestone=submitted, actor=owner, idempotency_key=new_key())
    submitted.refresh_from_db()
    assert submitted.state == MilestoneState.RELEASED
    assert [s.round for s in submitted.submissions.all()] == [1, 2]
