"""The catalogue of event types an endpoint can subscribe to: what the services really emit.

The payload of every event is `{"type", "timestamp", "data"}`; `data` holds ids and the fields
an integration needs (never a secret, never a private note), built by the emitting app's
`webhooks.py`.
"""

EVENT_TYPES = {
    "engagement.offered": "An engagement was offered to a freelancer (brief sent to acknowledge).",
    "engagement.accepted": "The freelancer acknowledged the brief: the engagement is active.",
    "engagement.paused": "The engagement was paused.",
    "engagement.resumed": "A paused engagement is active again.",
    "engagement.ended": "The engagement was completed or cancelled (`data.status` says which).",
    "brief.acknowledged": "The freelancer acknowledged a version of the brief.",
    "milestone.funded": "A milestone was funded: its money is held until release.",
    "milestone.submitted": "The freelancer submitted work on a milestone.",
    "milestone.changes_requested": "The owner asked for changes to submitted work.",
    "milestone.released": "A milestone's money was released to the freelancer (by the owner, automatically "
                          "after the review window, or by resolving a dispute).",
    "milestone.refunded": "A milestone's money went back to the owner.",
    "milestone.split": "A disputed milestone was resolved by splitting its money.",
    "milestone.disputed": "A milestone was disputed.",
    "status_update.created": "The freelancer posted a status update.",
    "message.created": "A message was posted in an engagement's conversation.",
    "payout.paid": "A payout to a freelancer was recorded.",
    "freelancer.decided": "The vetting decision on a freelancer was recorded (approved or rejected).",
}

# Sent only by "Send a test event", to the one endpoint it was asked for; nobody subscribes to it.
TEST_EVENT = "webhook.test"

EVENT_CHOICES = [(name, name) for name in EVENT_TYPES]
