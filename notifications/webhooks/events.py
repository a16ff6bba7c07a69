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
    "retainer_period.funded": "A retainer period was funded at its start: its amount is held until the period ends.",
    "retainer_period.released": "A retainer period ended undisputed and its amount was released to the freelancer.",
    "retainer_period.disputed": "A retainer period was disputed (`data.retainer_period.dispute_side` says by whom): "
                                "its money is frozen.",
    "retainer_period.resolved": "A disputed retainer period was settled (`data.retainer_period.state`: released, "
                                "refunded or split).",
    "retainer_period.hours_over": "The hours used in a retainer period passed the hours it includes.",
    "commission_report.created": "The owner reported a month's amount for a commission (`corrects`: the report it "
                                 "replaces, if any).",
    "commission_report.accepted": "The freelancer accepted a commission report (its commission is released).",
    "commission_report.disputed": "The freelancer disputed a commission report.",
    "commission_report.released": "A commission was released to the freelancer, whichever way (`data."
                                  "commission_report.how`: accepted, not disputed in time, dispute resolved).",
    "status_update.created": "The freelancer posted a status update.",
    "message.created": "A message was posted in an engagement's conversation.",
    "payout.paid": "A payout to a freelancer was recorded.",
    "freelancer.decided": "The vetting decision on a freelancer was recorded (approved or rejected).",
}

# Sent only by "Send a test event", to the one endpoint it was asked for; nobody subscribes to it.
TEST_EVENT = "webhook.test"

EVENT_CHOICES = [(name, name) for name in EVENT_TYPES]
