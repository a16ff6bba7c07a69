"""Both state machines, table-driven: every (from, to) pair either moves or is refused."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from engagements.models import (
    ENGAGEMENT_TRANSITIONS,
    MILESTONE_CLEARS,
    MILESTONE_TRANSITIONS,
    Engagement,
    EngagementStatus,
    Milestone,
    MilestoneState,
)
from engagements.services.transitions import (
    ConflictError,
    EngagementTransitionError,
    TransitionError,
    engagement_transition,
    milestone_transition,
)
from engagements.tests.factories import EngagementFactory, MilestoneFactory

MILESTONE_PAIRS = [(a, b) for a in MilestoneState for b in MilestoneState]
ENGAGEMENT_PAIRS = [(a, b) for a in EngagementStatus for b in EngagementStatus]


def test_the_tables_name_every_state():
    assert set(MILESTONE_TRANSITIONS) == set(MilestoneState)
    assert set(MILESTONE_CLEARS) == set(MilestoneState)
    assert set(ENGAGEMENT_TRANSITIONS) == set(EngagementStatus)


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "target"), MILESTONE_PAIRS, ids=[f"{a}->{b}" for a, b in MILESTONE_PAIRS])
def test_milestone_moves_exactly_as_the_table_says(start, target):
    milestone = MilestoneFactory(state=start)
    if target in MILESTONE_TRANSITIONS[start]:
        moved = milestone_transition(milestone_id=milestone.pk, to_state=target)
        assert moved.state == target
        assert Milestone.objects.get(pk=milestone.pk).state == target
    else:
        with pytest.raises(TransitionError) as exc:
            milestone_transition(milestone_id=milestone.pk, to_state=target)
        assert exc.value.current_state == start
        assert Milestone.objects.get(pk=milestone.pk).state == start


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "target"), ENGAGEMENT_PAIRS, ids=[f"{a}->{b}" for a, b in ENGAGEMENT_PAIRS])
def test_engagement_moves_exactly_as_the_table_says(start, target):
    engagement = EngagementFactory(status=start)
    if target in ENGAGEMENT_TRANSITIONS[start]:
        moved = engagement_transition(engagement_id=engagement.pk, to_status=target)
        assert moved.status == target
    else:
        with pytest.raises(EngagementTransitionError) as exc:
            engagement_transition(engagement_id=engagement.pk, to_status=target)
        assert "cannot become" in str(exc.value)
        assert Engagement.objects.get(pk=engagement.pk).status == start


@pytest.mark.django_db
@pytest.mark.parametrize("target", sorted(MILESTONE_TRANSITIONS[MilestoneState.SUBMITTED]))
def test_every_move_out_of_submitted_clears_the_review_deadline(target):
    """The review deadline means something only while work waits for review: the move itself
    clears it, whichever caller makes it."""
    milestone = MilestoneFactory(state=MilestoneState.SUBMITTED,
                                 review_deadline_at=timezone.now() + timedelta(days=14))
    moved = milestone_transition(milestone_id=milestone.pk, to_state=target)
    assert moved.review_deadline_at is None
    assert Milestone.objects.get(pk=milestone.pk).review_deadline_at is None


@pytest.mark.django_db
def test_a_move_cannot_keep_a_column_its_state_clears():
    milestone = MilestoneFactory(state=MilestoneState.SUBMITTED)
    with pytest.raises(ValueError, match="review_deadline_at"):
        milestone_transition(milestone_id=milestone.pk, to_state=MilestoneState.CHANGES_REQUESTED,
                             review_deadline_at=timezone.now())
    assert Milestone.objects.get(pk=milestone.pk).state == MilestoneState.SUBMITTED


@pytest.mark.django_db
def test_transition_errors_are_conflicts_with_a_clear_message():
    milestone = MilestoneFactory(state=MilestoneState.DRAFT)
    with pytest.raises(ConflictError, match="“Draft” cannot become “Submitted”"):
        milestone_transition(milestone_id=milestone.pk, to_state=MilestoneState.SUBMITTED)


@pytest.mark.django_db
def test_from_states_narrows_what_the_table_allows():
    milestone = MilestoneFactory(state=MilestoneState.DISPUTED)
    with pytest.raises(TransitionError):
        milestone_transition(milestone_id=milestone.pk, to_state=MilestoneState.RELEASED,
                             from_states=[MilestoneState.SUBMITTED])


@pytest.mark.django_db
def test_extra_fields_are_written_in_the_same_update():
    engagement = EngagementFactory(status=EngagementStatus.DRAFT)
    now = timezone.now()
    moved = engagement_transition(engagement_id=engagement.pk, to_status=EngagementStatus.OFFERED, offered_at=now)
    assert moved.offered_at == now


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_moves_on_one_milestone_only_one_wins():
    milestone = MilestoneFactory(state=MilestoneState.SUBMITTED)
    barrier = threading.Barrier(2)
    results = []

    def attempt(target):
        try:
            barrier.wait()
            milestone_transition(milestone_id=milestone.pk, to_state=target)
            results.append(target)
        except TransitionError:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(t,))
               for t in (MilestoneState.RELEASED, MilestoneState.CHANGES_REQUESTED)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("refused") == 1
    winner = next(r for r in results if r != "refused")
    assert Milestone.objects.get(pk=milestone.pk).state == winner
