"""Races on real PostgreSQL: threads, each with its own connection, released together by a
barrier. The milestone's conditional UPDATE decides the winner; losers must write nothing."""

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.db.models import Sum
from django.utils import timezone

from engagements.models import Milestone, MilestoneState
from engagements.services.transitions import milestone_transition
from notifications.models import Notification
from payments import services
from payments.errors import PaymentError, StateConflict
from payments.models import AccountKind, Dispute, Entry, Transaction
from payments.reminders.auto_release import auto_release_due, review_deadlines_sync

from ..conftest import fund, submit
from ..factories import MilestoneFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(*calls):
    """Run the callables at the same moment in threads; return [(result, exception)]."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            outcomes[i] = (call(), None)
        except Exception as exc:  # the test inspects it
            outcomes[i] = (None, exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def escrow(engagement):
    return Entry.objects.filter(account__kind=AccountKind.ESCROW, account__engagement=engagement).aggregate(
        t=Sum("amount"))["t"] or 0


def test_eight_concurrent_releases_release_once(submitted, owner, engagement):
    outcomes = race(*[
        (lambda i=i: services.milestone_release(milestone=submitted, actor=owner, idempotency_key=f"release-{i}"))
        for i in range(8)
    ])
    wins = [r for r, e in outcomes if e is None]
    losses = [e for r, e in outcomes if e is not None]
    assert len(wins) == 1
    assert len(losses) == 7 and all(isinstance(e, StateConflict) for e in losses)
    assert Transaction.objects.filter(kind="release").count() == 1
    assert escrow(engagement) == 0
    assert Milestone.objects.get(pk=submitted.pk).state == MilestoneState.RELEASED


def test_eight_concurrent_retries_with_one_key_return_the_same_release(submitted, owner):
    outcomes = race(*[
        (lambda: services.milestone_release(milestone=submitted, actor=owner, idempotency_key="one-key"))
        for _ in range(8)
    ])
    assert all(e is None for _, e in outcomes), [e for _, e in outcomes]
    assert len({r.pk for r, _ in outcomes}) == 1
    assert sum(not r.replayed for r, _ in outcomes) == 1
    assert Transaction.objects.filter(kind="release").count() == 1


@pytest.mark.parametrize("round_", range(2))
def test_a_release_racing_a_dispute_has_exactly_one_winner(submitted, owner, freelancer, engagement, round_):
    outcomes = race(
        lambda: services.milestone_release(milestone=submitted, actor=owner, idempotency_key="r"),
        lambda: services.milestone_dispute(milestone=submitted, actor=freelancer.user, reason="Unpaid extras",
                                           idempotency_key="d"),
    )
    (release, release_error), (dispute, dispute_error) = outcomes
    assert (release_error is None) != (dispute_error is None)
    loser = release_error or dispute_error
    assert isinstance(loser, StateConflict)
    state = Milestone.objects.get(pk=submitted.pk).state
    if release_error is None:
        assert state == MilestoneState.RELEASED
        assert escrow(engagement) == 0
        assert not Transaction.objects.filter(kind="dispute").exists() and not Dispute.objects.exists()
    else:
        assert state == MilestoneState.DISPUTED
        assert escrow(engagement) == 150_000
        assert not Transaction.objects.filter(kind="release").exists()


@pytest.mark.parametrize("round_", range(2))
def test_a_refund_racing_a_dispute_has_exactly_one_winner(funded, owner, freelancer, engagement, round_):
    outcomes = race(
        lambda: services.milestone_refund(milestone=funded, actor=owner, idempotency_key="f"),
        lambda: services.milestone_dispute(milestone=funded, actor=freelancer.user, reason="Work started",
                                           idempotency_key="d"),
    )
    errors = [e for _, e in outcomes if e is not None]
    assert len(errors) == 1 and isinstance(errors[0], StateConflict)
    assert Transaction.objects.filter(kind__in=["refund", "dispute"]).count() == 1
    expected_escrow = 0 if outcomes[0][1] is None else 150_000
    assert escrow(engagement) == expected_escrow


def test_concurrent_funding_cannot_overshoot_the_budget(owner, engagement):
    # 11,500.00 may be committed; three milestones of 5,000.00 each race for it.
    milestones = [MilestoneFactory(engagement=engagement, amount=500_000) for _ in range(3)]
    outcomes = race(*[(lambda m=m: fund(m, owner)) for m in milestones])
    assert sum(e is None for _, e in outcomes) == 2
    assert all(isinstance(e, PaymentError) for _, e in outcomes if e is not None)
    assert escrow(engagement) == 1_000_000


def test_the_sweep_racing_the_owner_releases_once(submitted, owner, engagement):
    later = timezone.now() + timedelta(days=15)
    outcomes = race(
        lambda: auto_release_due(now=later),
        lambda: auto_release_due(now=later),
        lambda: services.milestone_release(milestone=submitted, actor=owner, idempotency_key="by-hand"),
    )
    assert all(isinstance(e, StateConflict) or e is None for _, e in outcomes)
    assert Transaction.objects.filter(kind="release").count() == 1
    assert escrow(engagement) == 0


def test_a_resubmission_gets_a_fresh_clock_under_concurrent_sweeps(submitted, owner):
    milestone_transition(milestone_id=submitted.pk, to_state="changes_requested")
    milestone_transition(milestone_id=submitted.pk, to_state="submitted")
    outcomes = race(*[review_deadlines_sync for _ in range(4)])
    assert all(e is None for _, e in outcomes)
    assert submitted.review_clocks.count() == 2
    submitted.refresh_from_db()
    newest = submitted.review_clocks.get(submitted_at=submitted.state_changed_at)
    assert submitted.review_deadline_at == newest.deadline_at


def test_two_sweeps_at_once_release_each_milestone_once_and_email_each_side_once(owner, engagement):
    milestones = [MilestoneFactory(engagement=engagement, amount=10_000 + i) for i in range(24)]
    for m in milestones:
        fund(m, owner)
        submit(m)
    later = timezone.now() + timedelta(days=15)
    outcomes = race(lambda: auto_release_due(now=later, batch=5), lambda: auto_release_due(now=later, batch=5))
    assert all(e is None for _, e in outcomes), outcomes
    assert sum(r["released"] for r, _ in outcomes) == 24
    releases = Transaction.objects.filter(kind="release")
    assert releases.count() == 24 and releases.values("milestone").distinct().count() == 24
    assert escrow(engagement) == 0
    assert set(Milestone.objects.filter(engagement=engagement).values_list("state", flat=True)) == {"released"}
    keys = list(Notification.objects.filter(kind="escrow_released").values_list("dedupe_key", flat=True))
    assert len(keys) == len(set(keys)) == 48  # the freelancer and the owner, once per milestone
