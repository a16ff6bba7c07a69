"""Retainer pay: each period (a month from the engagement's start) is funded at its start — the
retainer amount moves from the owner's funding into the engagement's escrow, "set aside" on the
off-platform rail — and released to the freelancer at its end unless either side disputed it;
a disputed period is settled by the owner (release, refund or split), like a milestone's dispute.

Each money move is one service function here (`retainer_period_fund`, `retainer_period_release`,
`retainer_period_resolve`), each one `ledger.run_idempotent` transaction under a key naming the
period, which first claims the state change (the period's unique start, or its conditional
UPDATE) and only then posts: so the beat sweep (payments.reminders.pay_models) funds and releases
each period once even when it runs twice or two run at once, and a provider can later be slotted
into the same functions. Budget: the retainer is the agreed price, so funding is not refused past
the budget (the budget alert shows it), unlike a milestone the owner funds by hand.
"""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from engagements.models import Engagement, EngagementStatus, PayTerms
from engagements.selectors import agreement_block

from .. import emails, timeline, webhooks
from ..errors import InvalidInput, StateConflict
from ..models import (
    RETAINER_TRANSITIONS,
    ChargePurpose,
    DisputeOutcome,
    RetainerPeriod,
    RetainerPeriodState,
    TransactionKind,
    retainer_period_dates,
)
from ..providers import stripe_enabled
from ..roles import require_owner, side_of
from ._amounts import positive, whole
from .ledger import escrow_account, owner_funding_account, payable_account, post, run_idempotent
from .provider_charges import charge_open, charge_poster

P = RetainerPeriodState


class NotDue(StateConflict):
    """The sweep's candidate is not (or no longer) due."""


def retainer_anchor(engagement):
    """The day the engagement's periods are counted from: its start, else the day it became active."""
    if engagement.starts_on:
        return engagement.starts_on
    return engagement.activated_at.date() if engagement.activated_at else None


def _move(period_id, to_state, from_states, when=None, **fields):
    """The period's one state change: a conditional UPDATE on the state read (and `when`), which
    also locks the row until commit. Returns the row as moved, or StateConflict."""
    allowed = {s for s in from_states if to_state in RETAINER_TRANSITIONS[s]}
    moved = RetainerPeriod.objects.filter(when or Q(), pk=period_id, state__in=allowed).update(state=to_state, **fields)
    if moved != 1:
        current = RetainerPeriod.objects.filter(pk=period_id).values_list("state", flat=True).first()
        label = P(current).label.lower() if current else "gone"
        raise StateConflict(f"This retainer period is {label}; it cannot become {P(to_state).label.lower()}.")
    return RetainerPeriod.objects.select_related("engagement__workspace", "engagement__freelancer").get(pk=period_id)


# --- Fund -------------------------------------------------------------------------------------
def retainer_period_fund(*, engagement, today=None):
    """Fund the period of a running retainer engagement that contains `today` (the sweep's call,
    automatic): the retainer amount goes from the owner's funding into escrow. Returns the
    transaction (`replayed` when the period was funded before)."""
    today = today or timezone.now().date()
    anchor = retainer_anchor(engagement)
    dates = retainer_period_dates(anchor, today) if anchor else None
    if engagement.pay_terms != PayTerms.RETAINER or dates is None:
        raise NotDue("This engagement has no retainer period running today.")
    starts_on, ends_on = dates

    def perform(key, fp):
        eng = Engagement.objects.select_for_update().select_related("workspace", "freelancer").get(pk=engagement.pk)
        if eng.pay_terms != PayTerms.RETAINER or eng.status != EngagementStatus.ACTIVE:
            raise NotDue("Only a running retainer engagement is funded.")
        if agreement_block(eng, action="fund a retainer period") is not None:
            raise NotDue("The agreement is not signed by both sides yet.")
        amount = positive(eng.retainer_amount, "retainer_amount")
        charged = stripe_enabled()  # then charged to the owner's saved method first; funded once paid
        # The unique (engagement, starts_on) refuses a second period for the same dates.
        period = RetainerPeriod.objects.create(
            engagement=eng, starts_on=starts_on, ends_on=ends_on, amount=amount, currency=eng.currency,
            hours_included=eng.retainer_hours or 0, state=P.PAYMENT_PENDING if charged else P.FUNDED,
        )
        memo = f"Retainer {starts_on:%-d %b %Y} – {ends_on:%-d %b %Y} funded"
        if charged:
            return charge_open(engagement=eng, purpose=ChargePurpose.RETAINER, amount=amount, key=key, fp=fp,
                               automatic=True, memo=memo, retainer_period=period)
        return _fund_post(period, key=key, fp=fp, memo=memo)

    return run_idempotent(workspace=engagement.workspace, key=f"retainer-fund:{engagement.pk}:{starts_on.isoformat()}",
                          action="retainer_period_fund", params={"engagement": engagement.pk,
                                                                 "starts_on": starts_on.isoformat()},
                          perform=perform)


def _fund_post(period, *, key, fp, memo):
    """The period's amount goes from the owner's funding into escrow (at its start, or once its
    charge succeeded)."""
    eng = period.engagement
    tx = post(
        workspace=eng.workspace, kind=TransactionKind.FUND, currency=period.currency,
        lines=[(owner_funding_account(eng.workspace), -period.amount), (escrow_account(eng), period.amount)],
        idempotency_key=key, fingerprint=fp, engagement=eng, automatic=True, memo=memo,
    )
    RetainerPeriod.objects.filter(pk=period.pk).update(funded_transaction=tx)
    emails.retainer_funded(period=period, transaction=tx)
    webhooks.retainer_period_event("retainer_period.funded", period)
    timeline.record(engagement=eng, kind="retainer_funded",
                    summary=f"Retainer for {period.starts_on:%-d %b} – {period.ends_on:%-d %b %Y}: "
                            f"{timeline.money(period.amount, eng)} set aside.")
    return tx


@charge_poster(ChargePurpose.RETAINER)
def _fund_charged(charge):
    period = _move(charge.retainer_period_id, P.FUNDED, [P.PAYMENT_PENDING], funded_at=timezone.now())
    return _fund_post(period, key=charge.ledger_key, fp=charge.request_fingerprint, memo=charge.memo)


# --- Release ----------------------------------------------------------------------------------
def retainer_period_release(*, period_id, now=None):
    """funded → released once the period has ended (the sweep's call, automatic): its amount goes
    from escrow to what is owed to the freelancer. Returns the transaction, or None when it was
    not (or no longer) due — disputed, released by another sweep, not ended."""
    now = now or timezone.now()
    period = RetainerPeriod.objects.select_related("engagement__workspace").get(pk=period_id)

    def perform(key, fp):
        p = _move(period.pk, P.RELEASED, [P.FUNDED], when=Q(ends_on__lt=now.date()), closed_at=now)
        eng = p.engagement
        escrow, payable = escrow_account(eng), payable_account(eng.freelancer)
        tx = post(
            workspace=eng.workspace, kind=TransactionKind.RELEASE, currency=p.currency,
            lines=[(escrow, -p.amount), (payable, p.amount)], idempotency_key=key, fingerprint=fp,
            engagement=eng, automatic=True,
            memo=f"Retainer {p.starts_on:%-d %b %Y} – {p.ends_on:%-d %b %Y} released at the end of the period",
        )
        RetainerPeriod.objects.filter(pk=p.pk).update(closed_transaction=tx)
        emails.retainer_released(period=p, transaction=tx)
        webhooks.retainer_period_event("retainer_period.released", p)
        timeline.record(engagement=eng, kind="retainer_released",
                        summary=f"Retainer for {p.starts_on:%-d %b} – {p.ends_on:%-d %b %Y} released: "
                                f"{timeline.money(p.amount, eng)}.")
        return tx

    try:
        tx = run_idempotent(workspace=period.engagement.workspace, key=f"retainer-release:{period.pk}",
                            action="retainer_period_release", params={"period": period.pk}, perform=perform,
                            claim_refuses_retry=True)
    except StateConflict:
        return None
    return None if tx.replayed else tx


# --- Dispute and resolve ----------------------------------------------------------------------
def retainer_period_dispute(*, period, actor, reason):
    """funded → disputed, by either side with a reason: the period's money stays in escrow and the
    sweep no longer releases it; the owner settles it (`retainer_period_resolve`)."""
    engagement = period.engagement
    side = side_of(engagement, actor)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say what the dispute is about.", field="reason")
    with transaction.atomic():
        p = _move(period.pk, P.DISPUTED, [P.FUNDED], disputed_at=timezone.now(), disputed_by=actor,
                  dispute_side=side, dispute_reason=reason[:5000])
        emails.retainer_disputed(period=p, side=side)
        webhooks.retainer_period_event("retainer_period.disputed", p)
        who = "the freelancer" if side == "freelancer" else "the owner's side"
        timeline.record(engagement=engagement, kind="retainer_disputed",
                        actor=actor if side == "owner" else None,
                        actor_freelancer=engagement.freelancer if side == "freelancer" else None,
                        summary=f"Retainer for {p.starts_on:%-d %b} – {p.ends_on:%-d %b %Y} disputed by {who}; "
                                f"{timeline.money(p.amount, engagement)} held.")
    return p


def retainer_period_resolve(*, period, actor, release_amount, refund_amount, idempotency_key, note=""):
    """disputed → released | refunded | split: part of the period's escrow to the freelancer, the
    rest back to the owner; the two add up to exactly the period's amount."""
    engagement = period.engagement
    release_amount = whole(release_amount, "release_amount")
    refund_amount = whole(refund_amount, "refund_amount")
    note = (note or "").strip()
    params = {"period": period.pk, "release": release_amount, "refund": refund_amount, "note": note}

    def perform(key, fp):
        require_owner(engagement.workspace, actor)
        total = release_amount + refund_amount
        if total <= 0:
            raise InvalidInput("Release or refund something: both amounts are zero.", field="release_amount")
        outcome = (DisputeOutcome.RELEASED if not refund_amount else
                   DisputeOutcome.REFUNDED if not release_amount else DisputeOutcome.SPLIT)
        p = _move(period.pk, P(outcome.value), [P.DISPUTED], closed_at=timezone.now(),
                  release_amount=release_amount, refund_amount=refund_amount, resolution_note=note[:5000])
        if total != p.amount:
            raise InvalidInput(f"Release and refund must add up to the period's {timeline.money(p.amount, engagement)}"
                               f"; they add up to {timeline.money(total, engagement)}.", field="release_amount")
        lines = [(escrow_account(engagement), -total)]
        if release_amount:
            lines.append((payable_account(engagement.freelancer), release_amount))
        if refund_amount:
            lines.append((owner_funding_account(engagement.workspace), refund_amount))
        tx = post(workspace=engagement.workspace, kind=TransactionKind.RESOLVE, currency=p.currency, lines=lines,
                  idempotency_key=key, fingerprint=fp, engagement=engagement, actor=actor,
                  memo=f"Retainer {p.starts_on:%-d %b %Y} dispute resolved: {outcome.label.lower()}"
                       + (f". {note}" if note else ""))
        RetainerPeriod.objects.filter(pk=p.pk).update(closed_transaction=tx)
        emails.retainer_resolved(period=p, transaction=tx)
        webhooks.retainer_period_event("retainer_period.resolved", p)
        timeline.record(engagement=engagement, kind="retainer_resolved", actor=actor,
                        summary=f"Retainer dispute resolved: {timeline.money(release_amount, engagement)} released, "
                                f"{timeline.money(refund_amount, engagement)} refunded.")
        return tx

    return run_idempotent(workspace=engagement.workspace, key=idempotency_key, action="retainer_period_resolve",
                          params=params, perform=perform)


# --- Hours over -------------------------------------------------------------------------------
def retainer_hours_over_flag(*, period_id, hours_used, now=None):
    """Tell the owner, once per period, that the hours used passed the hours included: claimed by
    setting `hours_over_at` where it is still empty (a second sweep matches nothing). Returns
    True when this call flagged it."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = RetainerPeriod.objects.filter(pk=period_id, hours_over_at__isnull=True,
                                                hours_included__lt=hours_used).update(hours_over_at=now)
        if not claimed:
            return False
        period = RetainerPeriod.objects.select_related("engagement__workspace", "engagement__freelancer").get(
            pk=period_id)
        emails.retainer_hours_over(period=period, hours_used=hours_used)
        webhooks.retainer_period_event("retainer_period.hours_over", period, hours_used=hours_used)
        timeline.record(engagement=period.engagement, kind="retainer_hours_over",
                        summary=f"{hours_used} h used of the {period.hours_included} h included in the retainer "
                                f"for {period.starts_on:%-d %b} – {period.ends_on:%-d %b %Y}.")
    return True
