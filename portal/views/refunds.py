"""Money back after a release, the freelancer's side (payments.services.released_refund): what
the milestone page shows of a released milestone — what it can still give back, the owner's
ask, the refunds given — and the form to refund in full or part (posted to `work.milestone_refund`)."""

from engagements.models import MilestoneState
from payments import selectors as money
from payments.providers import stripe_enabled

from ..forms import ReleasedRefundForm, new_idempotency_key


def released_refund_form(engagement, data=None):
    return ReleasedRefundForm(data, currency=engagement.currency, returned_outside=not stripe_enabled(),
                              initial={"idempotency_key": new_idempotency_key()})


def released_refund_context(engagement, milestone, form=None):
    """What the milestone page shows about refunds after release (nothing before release)."""
    if milestone.state != MilestoneState.RELEASED:
        return {"refund_figures": None}
    return {"refund_figures": money.released_refund_figures(milestone), "refunds": money.released_refunds_of(milestone),
            "open_ask": money.open_refund_request(milestone), "refund_form": form or released_refund_form(engagement),
            "on_stripe": stripe_enabled()}
