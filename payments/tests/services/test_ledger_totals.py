"""LedgerTotal, the entries summed per engagement and kind that the lists and the home page read:
kept by post() in the same database transaction as the entries, so it rolls back with them,
and equal to what a rebuild from the entries computes (the money machine checks the same after
every step of random histories)."""

import pytest
from django.db import transaction

from payments import services
from payments.errors import PaymentError
from payments.models import CommittedTotal, Entry, LedgerTotal
from payments.selectors import budget_figures, budget_figures_for
from payments.services import ledger
from payments.services.totals import ledger_totals_rebuild

from ..conftest import new_key

pytestmark = pytest.mark.django_db


def _kept(workspace):
    return {(t.engagement_id, t.currency, t.account_kind, t.transaction_kind): t.amount
            for t in LedgerTotal.objects.filter(workspace=workspace)}


class Boom(Exception):
    pass


def test_a_posting_that_rolls_back_leaves_no_total(engagement):
    with pytest.raises(Boom), transaction.atomic():
        ledger.post(workspace=engagement.workspace, kind="bonus", currency="USD",
                    lines=[(ledger.owner_funding_account(engagement.workspace), -100),
                           (ledger.payable_account(engagement.freelancer), 100)],
                    idempotency_key=new_key(), fingerprint="x", engagement=engagement)
        assert LedgerTotal.objects.count() == 2
        raise Boom
    assert (Entry.objects.count(), LedgerTotal.objects.count()) == (0, 0)


def test_money_is_never_posted_outside_an_engagement(engagement):
    with pytest.raises(PaymentError, match="belongs to an engagement"), transaction.atomic():
        ledger.post(workspace=engagement.workspace, kind="bonus", currency="USD",
                    lines=[(ledger.owner_funding_account(engagement.workspace), -100),
                           (ledger.payable_account(engagement.freelancer), 100)],
                    idempotency_key=new_key(), fingerprint="x")


def test_every_action_keeps_the_totals_a_rebuild_computes(submitted, owner, engagement, make_milestone):
    services.milestone_release(milestone=submitted, actor=owner, idempotency_key=new_key())
    other = make_milestone(amount=33_333)
    services.milestone_fund(milestone=other, actor=owner, idempotency_key=new_key())
    services.milestone_dispute(milestone=other, actor=owner, reason="x", idempotency_key=new_key())
    services.milestone_resolve(milestone=other, actor=owner, release_amount=11_111, refund_amount=22_222,
                               idempotency_key=new_key())
    refunded = make_milestone(amount=5_000)
    services.milestone_fund(milestone=refunded, actor=owner, idempotency_key=new_key())
    services.milestone_refund(milestone=refunded, actor=owner, idempotency_key=new_key())
    services.bonus_pay(engagement=engagement, actor=owner, amount=2_500, note="Thanks", idempotency_key=new_key())
    kept = _kept(engagement.workspace)

    ledger_totals_rebuild([engagement.workspace_id])

    assert _kept(engagement.workspace) == kept
    # The list's figures (from the totals) are the single engagement's (from its entries).
    assert budget_figures_for([engagement])[engagement.pk] == budget_figures(engagement)
    assert budget_figures(engagement).released == submitted.amount + 11_111


def _committed(workspace):
    return {(t.engagement_id, t.currency): t.amount for t in CommittedTotal.objects.filter(workspace=workspace)}


def test_committed_totals_move_with_the_postings_and_roll_back_with_them(funded, owner, engagement):
    # Funding put the milestone's amount in escrow: committed, in the engagement's currency.
    assert _committed(engagement.workspace) == {(engagement.pk, engagement.currency): funded.amount}
    with pytest.raises(Boom), transaction.atomic():
        services.bonus_pay(engagement=engagement, actor=owner, amount=2_500, note="x", idempotency_key=new_key())
        assert _committed(engagement.workspace) == {(engagement.pk, engagement.currency): funded.amount + 2_500}
        raise Boom
    assert _committed(engagement.workspace) == {(engagement.pk, engagement.currency): funded.amount}


def test_committed_totals_are_the_budget_figures_committed_and_survive_a_rebuild(
        submitted, owner, engagement, make_milestone):
    services.milestone_release(milestone=submitted, actor=owner, idempotency_key=new_key())
    refunded = make_milestone(amount=5_000)
    services.milestone_fund(milestone=refunded, actor=owner, idempotency_key=new_key())
    services.milestone_refund(milestone=refunded, actor=owner, idempotency_key=new_key())
    services.bonus_pay(engagement=engagement, actor=owner, amount=2_500, note="Thanks", idempotency_key=new_key())
    kept = _committed(engagement.workspace)
    # Release moved escrow to payable (committed either way), the refund took its funding back
    # out, the bonus added to it: what the budget bar shows as committed.
    assert kept == {(engagement.pk, engagement.currency): budget_figures(engagement).committed}
    assert budget_figures(engagement).committed == submitted.amount + 2_500

    CommittedTotal.objects.all().delete()
    ledger_totals_rebuild([engagement.workspace_id])

    assert _committed(engagement.workspace) == kept
