"""What engagements tell integrations: the `data` of each webhook event this app emits, built
from the row the action just wrote, and the one-line calls its services make
(notifications.webhooks.services.webhook_emit does the rest, in the action's transaction).
Ids and the fields an integration needs; no private notes, no secrets."""

from django.db.models import Subquery

from notifications.webhooks.services import webhook_emit, workspaces_listening

from .models import Engagement, Milestone, MilestoneState

MILESTONE_EVENTS = {
    MilestoneState.FUNDED: "milestone.funded",
    MilestoneState.SUBMITTED: "milestone.submitted",
    MilestoneState.CHANGES_REQUESTED: "milestone.changes_requested",
    MilestoneState.RELEASED: "milestone.released",
    MilestoneState.REFUNDED: "milestone.refunded",
    MilestoneState.DISPUTED: "milestone.disputed",
    MilestoneState.SPLIT: "milestone.split",
}


def _workspace_of(engagement_id):
    """The engagement's workspace as a subquery: emitting costs one query whatever is loaded."""
    return Subquery(Engagement.objects.filter(pk=engagement_id).values("workspace_id")[:1])


def engagement_data(engagement):
    return {"engagement": {
        "id": engagement.pk, "title": engagement.title, "kind": engagement.kind, "pay_terms": engagement.pay_terms,
        "status": engagement.status, "freelancer": engagement.freelancer_id, "currency": engagement.currency,
        "budget": engagement.budget, "starts_on": engagement.starts_on, "target_end_on": engagement.target_end_on,
        "ended_at": engagement.ended_at,
    }}


def milestone_data(milestone):
    return {"milestone": {
        "id": milestone.pk, "engagement": milestone.engagement_id, "title": milestone.title,
        "state": milestone.state, "amount": milestone.amount, "currency": milestone.currency,
        "due_on": milestone.due_on, "review_deadline_at": milestone.review_deadline_at,
        "state_changed_at": milestone.state_changed_at,
    }}


def engagement_event(type_, engagement):
    webhook_emit(workspace_id=engagement.workspace_id, type=type_, data=engagement_data(engagement))


def milestone_moved(milestone):
    """Every milestone state change (engagements.services.transitions) emits milestone.<state>."""
    type_ = MILESTONE_EVENTS.get(milestone.state)
    if type_:
        # The transition's UPDATE … RETURNING brings the workspace and its active endpoints along;
        # else a subquery of the emit, which reads the endpoints itself.
        workspace = getattr(milestone, "engagement_workspace_id", None) or _workspace_of(milestone.engagement_id)
        webhook_emit(workspace_id=workspace, type=type_, data=milestone_data(milestone),
                     endpoints=getattr(milestone, "webhook_endpoints", None))


def brief_acknowledged(brief, engagement):
    webhook_emit(workspace_id=engagement.workspace_id, type="brief.acknowledged", data={"brief": {
        "id": brief.pk, "engagement": engagement.pk, "version": brief.version,
        "acknowledged_at": brief.acknowledged_at, "freelancer": engagement.freelancer_id,
    }})


def status_update_created(update, engagement):
    webhook_emit(workspace_id=engagement.workspace_id, type="status_update.created", data={"status_update": {
        "id": update.pk, "engagement": engagement.pk, "freelancer": update.freelancer_id, "done": update.done,
        "next": update.next, "blockers": update.blockers, "percent_complete": update.percent_complete,
        "hours": update.hours, "late": update.late, "created_at": update.created_at,
    }})


def message_created(message, engagement):
    webhook_emit(workspace_id=engagement.workspace_id, type="message.created", data={"message": {
        "id": message.pk, "engagement": engagement.pk, "author_name": message.author_name,
        "from_freelancer": message.author_freelancer_id is not None, "body": message.body, "via": message.via,
        "created_at": message.created_at,
    }})


def milestones_moved(milestone_ids, to_state):
    """`milestone_moved` for a batch moved by one UPDATE (the sweeps' set-based release): one
    query when no workspace of the batch listens for the event, else one event per milestone."""
    type_ = MILESTONE_EVENTS.get(MilestoneState(to_state))
    if not type_:
        return
    ids = list(milestone_ids)
    listening = workspaces_listening(
        type_, workspace_ids=Engagement.objects.filter(milestones__pk__in=ids).values("workspace_id"))
    if not listening:
        return
    for milestone in (Milestone.objects.filter(pk__in=ids, engagement__workspace_id__in=listening)
                      .select_related("engagement").order_by("pk")):
        webhook_emit(workspace_id=milestone.engagement.workspace_id, type=type_, data=milestone_data(milestone))
