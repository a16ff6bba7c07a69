"""What the freelancers app tells integrations (notifications.webhooks): the vetting decision.
The decision's reason is the owner's note and stays out."""

from notifications.webhooks.services import webhook_emit


def freelancer_decided(decision, freelancer):
    webhook_emit(workspace_id=freelancer.workspace_id, type="freelancer.decided", data={"freelancer": {
        "id": freelancer.pk, "name": freelancer.name, "status": freelancer.status, "decision": decision.decision,
        "decided_at": decision.decided_at,
    }})
