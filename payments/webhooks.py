"""What payments tell integrations (notifications.webhooks): recorded payouts. Milestone money
events (funded, released, refunded, disputed, split) are emitted by the milestone transition
itself (engagements.webhooks.milestone_moved), whichever payment action moves it."""

from notifications.webhooks.services import webhook_emit


def payout_paid(payout):
    webhook_emit(workspace_id=payout.workspace_id, type="payout.paid", data={"payout": {
        "id": payout.pk, "engagement": payout.engagement_id, "freelancer": payout.freelancer_id,
        "amount": payout.amount, "currency": payout.currency, "method": payout.method,
        "reference": payout.reference, "paid_on": payout.paid_on,
    }})
