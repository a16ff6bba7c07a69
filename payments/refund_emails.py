"""The emails of money given back after a release (payments/services/refund_released.py):
the owner's ask goes to the freelancer, the freelancer's refund to the owners. Through
`notifications.services.notify` like every money email; the dedupe keys name the ask or the
refund, so a retry never emails twice."""

from .emails import _base, _to_freelancer, _to_owners


def refund_requested(*, ask, milestone, amount):
    _to_freelancer("refund_requested", milestone.engagement, f"refund-requested:{ask.pk}",
                   {**_base(milestone), "amount": amount, "reason": ask.reason})


def released_refunded(*, refund, amount):
    milestone = refund.milestone
    _to_owners("released_refunded", milestone.engagement, f"released-refunded:{refund.pk}",
               {**_base(milestone), "amount": amount, "reason": refund.reason,
                "returned_outside": bool(refund.method)})
