"""What engagements emit to webhook endpoints: one event per action, in the action's
transaction, with ids and the fields an integration needs (never private notes)."""

import json

import pytest

from engagements.models import MilestoneState
from engagements.services.conversation import message_post
from engagements.services.lifecycle import engagement_complete, engagement_pause, engagement_resume
from engagements.services.reporting import status_update_post
from engagements.services.transitions import milestone_transition
from notifications.models import WebhookEvent
from notifications.webhooks.events import EVENT_TYPES
from notifications.webhooks.services import webhook_endpoint_create

from .conftest import activate


@pytest.fixture
def subscribed(workspace, owner):
    """An endpoint for every event type; .invalid never resolves, so nothing leaves the machine."""
    endpoint, _ = webhook_endpoint_create(workspace=workspace, actor=owner, url="https://hooks.example.invalid/x",
                                          events=list(EVENT_TYPES))
    return endpoint


def sent(**filters):
    return [(e.type, json.loads(e.body)["data"]) for e in WebhookEvent.objects.filter(**filters).order_by("id")]


def test_the_engagement_lifecycle_emits_its_events_with_their_data(subscribed, engagement, owner, workspace):
    activate(engagement, owner)
    status_update_post(engagement_id=engagement.pk, freelancer=engagement.freelancer, done="Wireframes",
                       next="Mock-ups", percent_complete=30)
    message_post(engagement=engagement, author=owner, body="Looks good!")
    engagement_pause(engagement=engagement, actor=owner, reason="Holiday")
    engagement_resume(engagement=engagement, actor=owner)
    engagement.milestones.update(state=MilestoneState.DRAFT)
    engagement_complete(engagement=engagement, actor=owner, reason="All done, a private remark")

    events = sent()
    assert [t for t, _ in events] == [
        "engagement.offered", "engagement.accepted", "brief.acknowledged", "status_update.created",
        "message.created", "engagement.paused", "engagement.resumed", "engagement.ended",
    ]
    data = dict(events)
    assert data["engagement.accepted"]["engagement"]["id"] == engagement.pk
    assert data["engagement.accepted"]["engagement"]["status"] == "active"
    assert data["brief.acknowledged"]["brief"]["version"] == 1
    assert data["status_update.created"]["status_update"]["percent_complete"] == 30
    assert data["message.created"]["message"]["body"] == "Looks good!"
    assert data["engagement.ended"]["engagement"]["status"] == "completed"
    assert all(d["workspace"] == workspace.pk for _, d in events)
    assert "private remark" not in json.dumps(events)
    assert subscribed.deliveries.count() == len(events)


def test_every_milestone_move_emits_milestone_state(subscribed, engagement, owner):
    activate(engagement, owner)
    milestone = engagement.milestones.get()

    milestone_transition(milestone_id=milestone.pk, to_state=MilestoneState.FUNDED)
    milestone_transition(milestone_id=milestone.pk, to_state=MilestoneState.SUBMITTED)
    milestone_transition(milestone_id=milestone.pk, to_state=MilestoneState.DISPUTED)

    moves = [(t, d["milestone"]["state"]) for t, d in sent(type__startswith="milestone.")]
    assert moves == [("milestone.funded", "funded"), ("milestone.submitted", "submitted"),
                     ("milestone.disputed", "disputed")]


def test_a_workspace_without_endpoints_stores_no_events(engagement, owner):
    activate(engagement, owner)

    assert not WebhookEvent.objects.exists()


def test_a_milestone_move_reaches_only_the_active_endpoints_subscribed_to_it(engagement, owner, workspace, outsider):
    """The transition hands the emit its workspace from the UPDATE … RETURNING: the endpoints read
    for it are that workspace's active ones listening for the move, nobody else's."""
    from accounts.models import Membership, Workspace
    from notifications.models import WebhookEndpoint

    other = Workspace.objects.create(name="Elsewhere", slug="elsewhere")
    Membership.objects.create(user=outsider, workspace=other, role="owner")

    def endpoint(ws, actor, events, url):
        return webhook_endpoint_create(workspace=ws, actor=actor, url=url, events=events)[0]

    listening = endpoint(workspace, owner, ["milestone.funded"], "https://hooks.example.invalid/a")
    endpoint(workspace, owner, ["milestone.released"], "https://hooks.example.invalid/b")
    off = endpoint(workspace, owner, ["milestone.funded"], "https://hooks.example.invalid/c")
    WebhookEndpoint.objects.filter(pk=off.pk).update(active=False)
    endpoint(other, outsider, ["milestone.funded"], "https://hooks.example.invalid/d")
    activate(engagement, owner)
    milestone = engagement.milestones.get()

    moved = milestone_transition(milestone_id=milestone.pk, to_state=MilestoneState.FUNDED)

    assert moved.engagement_workspace_id == workspace.pk
    [event] = WebhookEvent.objects.filter(type="milestone.funded")
    assert event.workspace_id == workspace.pk
    assert [d.endpoint_id for d in event.deliveries.all()] == [listening.pk]
