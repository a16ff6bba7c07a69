"""Money back after a release, the way Upwork does it: released money is the freelancer's, so
the freelancer gives a refund (in full or part) from the portal or the API, optionally after the
owner asked for one from the milestone's page with a reason (`refund_request`).

`released_refund` never gives back more than the milestone's releases made payable minus the
refunds already given (a refund under way counts): the milestone row is locked while that is
checked and the refund's row written, so two at once cannot take the same money twice, and the
freelancer's idempotency key (unique per workspace) makes a retry answer the first refund.

The ledger (`refund_released`) moves the amount back to the owner's funding: what is still owed
comes back from payable, what was already paid out from paid out.
- Off the platform the money moves outside it: a part already paid out is recorded like a payout
  (the freelancer says how and with what reference they returned it), posted at once.
- On Stripe (a milestone paid through Checkout) the part that reached the freelancer's Stripe
  account is reversed first (provider_reversals.py); the ledger is posted only once the reversal
  succeeded, and then the owner's charge is refunded. A reversal Stripe refuses posts nothing.

Each posting issues a credit note against the release's invoice (when one was issued), emails
the owners and writes a timeline line.
"""

from django.db import IntegrityError, transaction

from accounts.audit import audit_record
from engagements.models import Milestone, MilestoneState

from .. import refund_emails, timeline
from ..errors import IdempotencyConflict, InsufficientFunds, InvalidInput, NotAllowed, StateConflict
from ..models import Account, RefundRequest, ReleasedRefund, ReleasedRefundStatus
from ..providers import stripe_enabled
from ..providers.off_platform import OffPlatformProvider, looks_like_card_number
from ..roles import is_engagement_freelancer, require_owner
from ..selectors import open_refund_request, owed_on, released_refund_figures
from ._amounts import positive
from .ledger import clean_key, payable_account
from .provider_reversals import released_refund_moves
from .provider_sources import charge_of
from .refund_ledger import released_refund_post


def _money(amount, engagement):
    return timeline.money(amount, engagement)


def _load(milestone):
    return Milestone.objects.select_related("engagement__workspace", "engagement__freelancer__user").get(
        pk=milestone.pk)


# --- The owner asks -----------------------------------------------------------------------------
def refund_request(*, milestone, actor, reason, amount=None):
    """The owner asks the freelancer for money back on a released milestone (one open ask per
    milestone; asking again while one waits answers the waiting one)."""
    milestone = _load(milestone)
    eng = milestone.engagement
    require_owner(eng.workspace, actor, "Only the workspace owner can ask for a refund.")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say why you ask for money back.", field="reason")
    if milestone.state != MilestoneState.RELEASED:
        raise StateConflict("Only a released milestone's money can be asked back; before release, cancel and refund "
                            "it instead.")
    figures = released_refund_figures(milestone)
    if amount is not None:
        amount = positive(amount, "amount")
        if amount > figures.refundable:
            raise InsufficientFunds(f"At most {_money(figures.refundable, eng)} can be asked back on this milestone.",
                                    field="amount")
    if figures.refundable <= 0:
        raise InsufficientFunds("Everything released on this milestone was already refunded.")
    try:
        with transaction.atomic():
            ask = RefundRequest.objects.create(workspace=eng.workspace, milestone=milestone, requested_by=actor,
                                               reason=reason[:2000], amount=amount)
            audit_record(workspace=eng.workspace, action="money.refund_requested", actor=actor, obj=ask,
                         detail=f"{amount or figures.refundable} minor units {eng.currency}, milestone {milestone.pk}.")
            refund_emails.refund_requested(ask=ask, milestone=milestone,
                                           amount=_money(amount or figures.refundable, eng))
            timeline.record(engagement=eng, kind="refund_requested", actor=actor, milestone=milestone,
                            summary=f"Asked for {_money(amount or figures.refundable, eng)} back on "
                                    f"“{milestone.title}”: {reason[:200]}")
    except IntegrityError:  # an ask was already open (or opened at this moment)
        return open_refund_request(milestone)
    return ask


# --- The freelancer gives -----------------------------------------------------------------------
def released_refund(*, milestone, actor, amount, idempotency_key, reason="", method="", reference=""):
    """The freelancer gives back `amount` (minor units) of what the milestone released to them.
    Returns the ReleasedRefund (`replayed` when the key was used before for the same refund)."""
    milestone = _load(milestone)
    eng = milestone.engagement
    if not is_engagement_freelancer(eng, actor):
        raise NotAllowed("No such milestone of yours.")
    key = clean_key(idempotency_key)
    amount = positive(amount, "amount")
    reason, method, reference = (reason or "").strip()[:300], (method or "").strip(), (reference or "").strip()
    existing = _replay(eng, key, milestone, amount)
    if existing is not None:
        return _continue(existing)
    charge = charge_of(milestone.pk) if stripe_enabled() else None  # paid through Stripe, and still on it
    try:
        with transaction.atomic():
            refund = _claim(milestone, actor, key, amount, reason, method, reference, on_stripe=charge is not None)
            if refund.status == ReleasedRefundStatus.REFUNDED:
                released_refund_post(refund)
    except IntegrityError:  # the same key at the same moment: the first one's refund
        existing = _replay(eng, key, milestone, amount)
        if existing is None:
            raise
        return _continue(existing)
    return _continue(refund)


def _replay(eng, key, milestone, amount):
    existing = ReleasedRefund.objects.filter(workspace=eng.workspace, ledger_key=key).first()
    if existing is None:
        return None
    if existing.milestone_id != milestone.pk or existing.amount != amount:
        raise IdempotencyConflict("This idempotency key was already used for a different request; nothing was done. "
                                  "Use a new key for a new request.")
    existing.replayed = True
    return existing


def _claim(milestone, actor, key, amount, reason, method, reference, *, on_stripe):
    """Lock the milestone, check what is left to give back and split it; write the refund row."""
    locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
    eng = milestone.engagement
    if locked.state != MilestoneState.RELEASED:
        raise StateConflict("Only a released milestone's money can be refunded this way.")
    figures = released_refund_figures(locked)
    if amount > figures.refundable:
        raise InsufficientFunds(f"At most {_money(figures.refundable, eng)} is left to refund on this milestone "
                                f"({_money(figures.released, eng)} released, {_money(figures.refunded, eng)} "
                                "refunded already).", field="amount")
    # Serialise with payouts to this freelancer: what is owed must not change under us.
    Account.objects.select_for_update().get(pk=payable_account(eng.freelancer).pk)
    owed = owed_on(eng)
    if on_stripe:
        from_paid_out = min(amount, max(figures.transferred, 0))
        if amount - from_paid_out > owed:
            raise InsufficientFunds(f"Only {_money(owed, eng)} of this release is still owed to you and "
                                    f"{_money(from_paid_out, eng)} reached your Stripe account.", field="amount")
    else:
        from_paid_out = amount - min(amount, owed)
        _check_returned(from_paid_out, method, reference, eng)
    return ReleasedRefund.objects.create(
        workspace=eng.workspace, engagement=eng, milestone=locked, freelancer=eng.freelancer,
        request=open_refund_request(locked), ledger_key=key, amount=amount, from_payable=amount - from_paid_out,
        from_paid_out=from_paid_out, currency=eng.currency, reason=reason, method=method if from_paid_out else "",
        reference=reference if from_paid_out else "", created_by=actor,
        status=ReleasedRefundStatus.STARTED if on_stripe and from_paid_out else ReleasedRefundStatus.REFUNDED)


def _check_returned(from_paid_out, method, reference, eng):
    """Off the platform, money already paid out comes back outside it: say how, like a payout."""
    if not from_paid_out:
        return
    what = f"{_money(from_paid_out, eng)} of it was already paid out to you"
    if method not in dict(OffPlatformProvider.methods):
        raise InvalidInput(f"{what}: choose how you sent it back.", field="method")
    if not reference:
        raise InvalidInput(f"{what}: give the reference of the transfer you sent back.", field="reference")
    if len(reference) > 120 or looks_like_card_number(reference):
        raise InvalidInput("Give the transfer's reference (at most 120 characters, never card details).",
                           field="reference")


def _continue(refund):
    """On Stripe, carry a refund on: the reversal (when part was paid out), then the owner's
    refund. Off the platform there is nothing more to do."""
    return released_refund_moves(refund)
