"""The single path for milestone state changes.

`milestone_transition` performs `UPDATE … WHERE pk = ? AND state IN (allowed_from)` and fails
with `TransitionError` when no row matched — so two concurrent actions on one milestone (a
release racing a dispute, two releases) cannot both succeed: the loser's UPDATE matches nothing.
Money actions call it inside their own transaction, before writing ledger rows, so a loser
writes nothing.
"""

from django.utils import timezone

from .models import MILESTONE_TRANSITIONS, Milestone, MilestoneState, allowed_from


class TransitionError(Exception):
    """The action does not fit the milestone's current state (409 in the API)."""

    def __init__(self, milestone_id, to_state, current_state):
        self.milestone_id = milestone_id
        self.to_state = to_state
        self.current_state = current_state
        current = MilestoneState(current_state).label if current_state else "missing"
        target = MilestoneState(to_state).label
        super().__init__(f"A milestone that is “{current}” cannot become “{target}”.")


def milestone_transition(*, milestone_id, to_state, from_states=None, **fields):
    """Move milestone `milestone_id` to `to_state` if it is in one of `from_states` (default:
    every state the table allows the move from). Extra `fields` are written in the same UPDATE
    (e.g. `review_deadline_at`). Returns the refreshed milestone; raises TransitionError."""
    to_state = MilestoneState(to_state)
    permitted = allowed_from(to_state)
    if from_states is not None:
        permitted &= {MilestoneState(s) for s in from_states}
    updated = Milestone.objects.filter(pk=milestone_id, state__in=permitted).update(
        state=to_state, state_changed_at=timezone.now(), **fields
    )
    if updated != 1:
        current = Milestone.objects.filter(pk=milestone_id).values_list("state", flat=True).first()
        raise TransitionError(milestone_id, to_state, current)
    return Milestone.objects.get(pk=milestone_id)


def can_transition(milestone, to_state):
    return MilestoneState(to_state) in MILESTONE_TRANSITIONS[MilestoneState(milestone.state)]
