"""Disputes: either side freezes a milestone's escrow with a reason, and the owner settles it —
part released to the freelancer, the rest refunded — for exactly what the ledger holds.

Same frame as the other escrow actions (`escrow.py`): one transaction that claims the
milestone's state change first, then writes; a dispute moves no money, so its ledger
transaction has no entries and only carries the idempotency key and the history.
"""

from django.utils import timezone

from engagements.models import Milestone, MilestoneState
from engagements.services.transitions import milestone_transition

from .. import emails, timeline
from ..errors import InsufficientFunds, InvalidInput
from ..models import Dispute, DisputeOutcome, TransactionKind
from ..roles import require_owner, side_of
from ..selectors import escrowed_for
from ._amounts import whole
from .escrow import load_milestone
from .ledger import escrow_account, owner_funding_account, payable_account, post, run_idempotent

S = MilestoneState


def milestone_dispute(*, milestone, actor, reason, idempotency_key):
    """funded | submitted | changes_requested → disputed, by either side, with a reason. The
    escrow stays where it is (frozen): neither release nor refund applies until resolved."""
    milestone = load_milestone(milestone)
    engagement = milestone.engagement
    reason = (reason or "").strip()
    params = {"milestone": milestone.pk, "reason": reason}

    def perform(key, fp):
        side = side_of(engagement, actor)
        if not reason:
            raise InvalidInput("Say what the dispute is about.", field="reason")
        before = Milestone.objects.filter(pk=milestone.pk).values_list("state", flat=True).first()
        m = milestone_transition(milestone_id=milestone.pk, to_state=S.DISPUTED,
                                 from_states=[S.FUNDED, S.SUBMITTED, S.CHANGES_REQUESTED], review_deadline_at=None)
        escrowed = escrowed_for(m)
        if escrowed <= 0:
            raise InsufficientFunds("No funds are held for this milestone.")
        # A dispute moves no money: a transaction without entries records the freeze in the
        # ledger's history and carries the idempotency key.
        tx = post(
            workspace=engagement.workspace, kind=TransactionKind.DISPUTE, currency=engagement.currency, lines=[],
            idempotency_key=key, fingerprint=fp, engagement=engagement, milestone=m, actor=actor,
            memo=f"Dispute on “{m.title}”: {reason}",
        )
        dispute = Dispute.objects.create(
            milestone=m, raised_by=actor, side=side, reason=reason, from_state=before or "",
            escrowed=escrowed, currency=engagement.currency, opened_transaction=tx,
        )
        emails.milestone_disputed(milestone=m, dispute=dispute)
        who = "the freelancer" if side == "freelancer" else "the owner's side"
        timeline.record(engagement=engagement, kind="escrow_disputed", milestone=m,
                        actor=actor if side == "owner" else None,
                        actor_freelancer=engagement.freelancer if side == "freelancer" else None,
                        summary=f"Dispute on “{m.title}” opened by {who}; "
                                f"{timeline.money(escrowed, engagement)} frozen.")
        return tx

    return run_idempotent(workspace=engagement.workspace, key=idempotency_key, action="milestone_dispute",
                          params=params, perform=perform)


def milestone_resolve(*, milestone, actor, release_amount, refund_amount, idempotency_key, note=""):
    """disputed → released | refunded | split: part of the escrow goes to the freelancer, the
    rest back to the owner; the two must add up to exactly what is in escrow."""
    milestone = load_milestone(milestone)
    engagement = milestone.engagement
    release_amount = whole(release_amount, "release_amount")
    refund_amount = whole(refund_amount, "refund_amount")
    note = (note or "").strip()
    params = {"milestone": milestone.pk, "release": release_amount, "refund": refund_amount, "note": note}

    def perform(key, fp):
        require_owner(engagement.workspace, actor)
        total = release_amount + refund_amount
        if total <= 0:
            raise InvalidInput("Release or refund something: both amounts are zero.", field="release_amount")
        if refund_amount == 0:
            outcome = DisputeOutcome.RELEASED
        elif release_amount == 0:
            outcome = DisputeOutcome.REFUNDED
        else:
            outcome = DisputeOutcome.SPLIT
        m = milestone_transition(milestone_id=milestone.pk, to_state=outcome, from_states=[S.DISPUTED])
        escrowed = escrowed_for(m)
        if total != escrowed:
            raise InvalidInput(
                f"Release and refund must add up to what is held ({escrowed}); they add up to {total}.",
                field="release_amount",
            )
        lines = [(escrow_account(engagement), -total)]
        if release_amount:
            lines.append((payable_account(engagement.freelancer), release_amount))
        if refund_amount:
            lines.append((owner_funding_account(engagement.workspace), refund_amount))
        tx = post(
            workspace=engagement.workspace, kind=TransactionKind.RESOLVE, currency=engagement.currency,
            lines=lines, idempotency_key=key, fingerprint=fp, engagement=engagement, milestone=m, actor=actor,
            memo=f"Dispute on “{m.title}” resolved: {DisputeOutcome(outcome).label.lower()}"
                 + (f". {note}" if note else ""),
        )
        dispute = Dispute.objects.filter(milestone=m, resolved_at__isnull=True).first()
        if dispute is not None:
            Dispute.objects.filter(pk=dispute.pk, resolved_at__isnull=True).update(
                resolved_at=timezone.now(), resolved_by=actor, outcome=outcome, release_amount=release_amount,
                refund_amount=refund_amount, resolution_note=note, resolution_transaction=tx,
            )
            dispute.refresh_from_db()
        emails.dispute_resolved(milestone=m, transaction=tx, release_amount=release_amount,
                                refund_amount=refund_amount, note=note)
        timeline.record(engagement=engagement, kind="escrow_resolved", actor=actor, milestone=m,
                        summary=f"Dispute on “{m.title}” resolved: {timeline.money(release_amount, engagement)} "
                                f"released, {timeline.money(refund_amount, engagement)} refunded.")
        return tx

    return run_idempotent(workspace=engagement.workspace, key=idempotency_key, action="milestone_resolve",
                          params=params, perform=perform)
