import pytest

from engagements.models import MilestoneState
from notifications.models import Notification
from payments import services
from payments.errors import (
    InvalidInput,
    NotAllowed,
    StateConflict,
)
from payments.models import AccountKind, Dispute
from payments.selectors import budget_figures

from ..conftest import balance, ledger_size, new_key

pytestmark = pytest.mark.django_db


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
    (100_000, 10_000, "add up to what is held"),
    (150_001, 0, "add up to what is held"),
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
