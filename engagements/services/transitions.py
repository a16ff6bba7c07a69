"""The single path for state changes, and the map of a milestone's whole life.

`milestone_transition` performs `UPDATE … WHERE pk = ? AND state IN (allowed_from)` and fails
with `TransitionError` when no row matched — so two concurrent actions on one milestone (a
release racing a dispute, two releases) cannot both succeed: the loser's UPDATE matches nothing.
Money actions call it inside their own transaction, before writing ledger rows, so a loser
writes nothing. The same UPDATE clears what only meant something in the state left behind
(MILESTONE_CLEARS: the review deadline outside `submitted`), so no caller can forget it.
`engagement_transition` is the same path for the engagement's status.

A milestone's life (the tables, MILESTONE_TRANSITIONS and MILESTONE_CLEARS, live with the model):

  from → to                                  who                          owner (module: function)
  draft → funded                             the owner                    payments/services/escrow.py: milestone_fund
  funded | changes_requested → submitted     the freelancer               services/milestone.py: milestone_submit,
                                                                          through payments/services/escrow.py:
                                                                          milestone_submit_for_review (starts the
                                                                          review clock)
  submitted → changes_requested              the owner or a manager       services/milestone.py:
                                                                          milestone_request_changes, through
                                                                          payments/services/escrow.py:
                                                                          milestone_request_changes
  submitted → released                       the owner (accepts the work) payments/services/escrow.py: milestone_release
                                             the beat, once the review    payments/services/auto_release.py:
                                             window passed                milestone_auto_release_many (a
                                                                          batch, milestone_transition_many);
                                                                          escrow.py: milestone_auto_release
  funded | submitted | changes_requested     the owner, a manager or      payments/services/disputes.py:
    → disputed                               the freelancer               milestone_dispute
  disputed → released | refunded | split     the owner                    payments/services/disputes.py:
                                                                          milestone_resolve
  funded → refunded                          the owner (cancels it)       payments/services/escrow.py: milestone_refund
  released, refunded, split                  final: no move out

A draft is planned, changed and deleted in services/milestone.py; it never moves back.

An engagement's life (ENGAGEMENT_TRANSITIONS, ENGAGEMENT_CLEARS), all in services/lifecycle.py:
draft → offered (engagement_offer) and back (engagement_withdraw); offered → active when the
freelancer acknowledges the brief (brief_acknowledge → engagement_activate); active ⇄ paused
(engagement_pause, engagement_resume); active → completed (engagement_complete); any status but
an ended one → cancelled (engagement_cancel). Pausing and ending clear the deadlines.
"""

from django.db import connection
from django.db.models.sql import UpdateQuery
from django.utils import timezone

from accounts.joined import Joined
from notifications.webhooks.services import ACTIVE_ENDPOINTS_SQL, active_endpoints_from

from .. import webhooks
from ..models import (
    ENGAGEMENT_CLEARS,
    ENGAGEMENT_TRANSITIONS,
    MILESTONE_CLEARS,
    MILESTONE_TRANSITIONS,
    Engagement,
    EngagementStatus,
    Milestone,
    MilestoneState,
    allowed_from,
)


def _cleared(table, to, fields):
    """The columns `table` clears on a move into `to`, refusing a caller that would keep one."""
    cleared = dict.fromkeys(table[to])
    kept = sorted(name for name in cleared if fields.get(name) is not None)
    if kept:
        raise ValueError(f"{', '.join(kept)} means nothing once it is {to.label.lower()}.")
    return cleared | fields


class ConflictError(Exception):
    """An action that does not fit the current state of things (409 in the API): a transition
    the table forbids, acknowledging a brief that is no longer current, posting an update on an
    engagement that is not running."""

    http_status = 409


class TransitionError(ConflictError):
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
    every state the table allows the move from). The columns MILESTONE_CLEARS names for the new
    state are cleared, and extra `fields` written, in the same UPDATE. Returns the refreshed
    milestone; raises TransitionError."""
    to_state = MilestoneState(to_state)
    fields = _cleared(MILESTONE_CLEARS, to_state, fields)
    permitted = allowed_from(to_state)
    if from_states is not None:
        permitted &= {MilestoneState(s) for s in from_states}
    milestone = _update_returning(milestone_id, permitted, state=to_state, state_changed_at=timezone.now(), **fields)
    if milestone is None:
        current = Milestone.objects.filter(pk=milestone_id).values_list("state", flat=True).first()
        raise TransitionError(milestone_id, to_state, current)
    webhooks.milestone_moved(milestone)
    return milestone


def _update_returning(milestone_id, permitted, **values):
    """Move milestone `milestone_id` if its state is in `permitted` and return it as it is now,
    read by the UPDATE itself (`RETURNING`: one statement instead of an UPDATE and a SELECT),
    with its engagement's workspace id as `engagement_workspace_id`; None when it was not in
    such a state. Without RETURNING: the update, then the row read.

    The statement is written out (each value prepared by its field, as `update()` does):
    every money action makes it, and Django's building of an UPDATE and of a raw query's
    instances cost more CPU than PostgreSQL spends on it. Values that are expressions go
    through the ORM's UPDATE."""
    if not permitted:  # a move the table forbids from every state
        return None
    matching = Milestone.objects.filter(pk=milestone_id, state__in=permitted)
    if not connection.features.can_return_columns_from_insert:
        return Milestone.objects.get(pk=milestone_id) if matching.update(**values) == 1 else None
    if any(hasattr(value, "resolve_expression") for value in values.values()):
        query = matching.query.chain(UpdateQuery)
        query.add_update_values(values)
        sql, params = query.get_compiler(matching.db).as_sql()
    else:
        fields = [Milestone._meta.get_field(name) for name in values]
        quote = connection.ops.quote_name
        states = sorted(permitted)
        sql = (f"UPDATE engagements_milestone SET {', '.join(f'{quote(f.column)} = %s' for f in fields)} "  # noqa: S608
               f"WHERE id = %s AND state IN ({', '.join(['%s'] * len(states))})")
        params = [f.get_db_prep_save(values[name], connection) for f, name in zip(fields, values, strict=True)]
        params += [milestone_id, *states]
    listening = connection.vendor == "postgresql"  # its JSON functions; elsewhere the emit reads the endpoints
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} RETURNING {_RETURNED.columns}, {_WORKSPACE}" + (f", {_LISTENING}" if listening else ""),
                       params)
        row = cursor.fetchone()
    if row is None:
        return None
    milestone, workspace_id, *endpoints = _RETURNED.build(row)
    milestone.engagement_workspace_id = workspace_id
    if listening:
        milestone.webhook_endpoints = active_endpoints_from(endpoints[0])
    return milestone


# The moved row as the UPDATE returns it, its engagement's workspace and that workspace's active
# webhook endpoints (engagements.webhooks emits the move's event to them without reading them again).
_RETURNED = Joined(("engagements_milestone", Milestone))
_WORKSPACE = "(SELECT e.workspace_id FROM engagements_engagement e WHERE e.id = engagements_milestone.engagement_id)"
_LISTENING = ACTIVE_ENDPOINTS_SQL.format(workspace=_WORKSPACE)


def milestone_transition_many(*, milestone_ids, to_state, from_states=None, **fields):
    """`milestone_transition` for a batch the caller has locked (`select_for_update`): one
    conditional UPDATE moves every milestone in `milestone_ids` to `to_state`, clearing what
    MILESTONE_CLEARS names. All or nothing: raises TransitionError (and the caller's
    transaction rolls back) unless every one of them moved."""
    to_state = MilestoneState(to_state)
    fields = _cleared(MILESTONE_CLEARS, to_state, fields)
    permitted = allowed_from(to_state)
    if from_states is not None:
        permitted &= {MilestoneState(s) for s in from_states}
    ids = set(milestone_ids)
    updated = Milestone.objects.filter(pk__in=ids, state__in=permitted).update(
        state=to_state, state_changed_at=timezone.now(), **fields
    )
    if updated != len(ids):
        error = TransitionError(None, to_state, None)
        error.args = (f"{len(ids) - updated} of {len(ids)} milestones cannot become “{to_state.label}”.",)
        raise error
    webhooks.milestones_moved(ids, to_state)
    return updated


def can_transition(milestone, to_state):
    return MilestoneState(to_state) in MILESTONE_TRANSITIONS[MilestoneState(milestone.state)]


class EngagementTransitionError(TransitionError):
    """The engagement's lifecycle table does not allow the move from its current status."""

    def __init__(self, engagement_id, to_status, current_status):
        self.engagement_id = engagement_id
        self.milestone_id = None
        self.to_state = to_status
        self.current_state = current_status
        current = EngagementStatus(current_status).label if current_status else "missing"
        target = EngagementStatus(to_status).label
        ConflictError.__init__(self, f"An engagement that is “{current}” cannot become “{target}”.")


def engagement_allowed_from(to_status):
    return {src for src, targets in ENGAGEMENT_TRANSITIONS.items() if to_status in targets}


def engagement_transition(*, engagement_id, to_status, from_states=None, **fields):
    """The engagement lifecycle's one path, built like `milestone_transition`: a conditional
    UPDATE on the status the table allows the move from, clearing what ENGAGEMENT_CLEARS names.
    Returns the refreshed engagement; raises EngagementTransitionError when no row matched
    (someone else moved it first)."""
    to_status = EngagementStatus(to_status)
    fields = _cleared(ENGAGEMENT_CLEARS, to_status, fields)
    permitted = engagement_allowed_from(to_status)
    if from_states is not None:
        permitted &= {EngagementStatus(s) for s in from_states}
    updated = Engagement.objects.filter(pk=engagement_id, status__in=permitted).update(
        status=to_status, updated_at=timezone.now(), **fields
    )
    if updated != 1:
        current = Engagement.objects.filter(pk=engagement_id).values_list("status", flat=True).first()
        raise EngagementTransitionError(engagement_id, to_status, current)
    return Engagement.objects.select_related("freelancer", "workspace").get(pk=engagement_id)


def can_engagement_transition(engagement, to_status):
    return EngagementStatus(to_status) in ENGAGEMENT_TRANSITIONS[EngagementStatus(engagement.status)]


class NotAllowed(Exception):
    """The actor may not act on this object (a freelancer acting on someone else's engagement).
    Pages and the API answer 404, so ids leak nothing."""

    http_status = 404
