"""The owner's vetting decision: approve or reject with a reason, read against the scorecard
(selectors.scorecard) and recorded with who and when."""

from django.core.exceptions import ValidationError
from django.db import transaction

from .. import webhooks
from ..errors import TransitionError
from ..models import Decision, EventKind, FreelancerStatus
from ..selectors import scorecard
from .freelancer import freelancer_transition


@transaction.atomic
def freelancer_decide(*, freelancer, actor=None, decision, reason, confirmed=False):
    """Approve or reject, with a reason; who and when are recorded. Approving with fewer than
    two answered references or any red flag needs `confirmed=True`."""
    reason = (reason or "").strip()
    errors = {}
    if decision not in Decision.Verdict.values:
        errors["decision"] = "Choose approve or reject."
    if not reason:
        errors["reason"] = "Give the reason for this decision; it is kept with the record."
    if errors:
        raise ValidationError(errors)
    card = scorecard(freelancer)
    if decision == Decision.Verdict.APPROVED:
        if freelancer.do_not_hire:
            raise TransitionError(f"{freelancer.name} is marked do not hire; clear that first.")
        if card.warnings and not confirmed:
            raise ValidationError(
                {"confirm": "Confirm that you want to approve despite: " + " ".join(card.warnings)},
                code="confirmation_required",
            )
    freelancer_transition(freelancer=freelancer, to_status=FreelancerStatus(decision), actor=actor,
                          reason=reason, kind=EventKind.DECISION)
    made = Decision.objects.create(
        freelancer=freelancer, decision=decision, reason=reason, decided_by=actor,
        references_received=card.references_received_count,
        red_flags=[f["key"] for f in card.red_flags],
        confirmed_warnings=bool(card.warnings and confirmed and decision == Decision.Verdict.APPROVED),
    )
    webhooks.freelancer_decided(made, freelancer)
    return made
