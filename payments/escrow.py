"""Milestone escrow: fund, release, dispute, resolve, refund, and the review clock.

Each action is one database transaction (`ledger.run_idempotent`) that first claims the
milestone's state change through `engagements.transitions.milestone_transition` — a
conditional UPDATE that also locks the row until commit — and only then reads what is in
escrow for that milestone and posts ledger rows. Of two racing actions on one milestone the
loser's UPDATE matches nothing once the winner commits, so it raises before writing anything.

The amount that moves out of escrow is always what the ledger says this milestone put in
(`escrowed_for`), never `Milestone.amount` re-read, so an edit of the amount after funding
cannot create or destroy money.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone

from engagements.models import Engagement, Milestone, MilestoneState
from engagements.services.milestone import milestone_submit
from engagements.services.transitions import milestone_transition

from . import emails, timeline
from .errors import BudgetExceeded, CurrencyMismatch, InsufficientFunds, InvalidInput, PaymentError, StateConflict
from .ledger import escrow_account, owner_funding_account, payable_account, post, run_idempotent
from .models import (
    AccountKind,
    BudgetChange,
    Dispute,
    DisputeOutcome,
    Entry,
    PaymentSettings,
    ReviewClock,
    TransactionKind,
)
from .roles import require_owner, require_staff, side_of
from .selectors import committed_spend

log = logging.getLogger(__name__)

S = MilestoneState
MAX_EXTENSION_DAYS = 14


def _money(value, field):
    """A positive whole number of minor units, or InvalidInput."""
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except (TypeError, ValueError):
            raise InvalidInput("Amounts are whole numbers of minor units (cents).", field=field) from None
    if value <= 0:
        raise InvalidInput("Amounts must be greater than zero.", field=field)
    return value


def escrowed_for(milestone):
    """What the ledger holds in escrow for this milestone now (sum of its escrow entries)."""
    return (
        Entry.objects.filter(transaction__milestone=milestone, account__kind=AccountKind.ESCROW,
                             currency=milestone.engagement.currency)
        .aggregate(total=Sum("amount"))["total"] or 0
    )


def _load(milestone):
    return Milestone.objects.select_related("engagement__workspace", "engagement__freelancer").get(pk=milestone.pk)


def review_window_days(workspace):
    return (
        PaymentSettings.objects.filter(workspace=workspace).values_list("review_window_days", flat=True).first()
        or PaymentSettings._meta.get_field("review_window_days").default
    )


def review_deadline_for(milestone, submitted_at):
    """When a submission made at `submitted_at` is released if nobody reviews it."""
    return submitted_at + timedelta(days=review_window_days(milestone.engagement.workspace))


# --- Fund -------------------------------------------------------------------------------------
def milestone_fund(*, milestone, actor, idempotency_key, expected_amount=None, currency=None):
    """draft → funded: the milestone's amount moves from the owner's funding into the
    engagement's escrow. Refused beyond budget + contingency (raise the budget first).
    `expected_amount`/`currency`, when given (the confirmation page, the API), must match the
    milestone: funding an amount the owner did not see is refused."""
    milestone = _load(milestone)
    engagement = milestone.engagement
    params = {"milestone": milestone.pk, "amount": expected_amount, "currency": currency}

    def perform(key, fp):
        require_owner(engagement.workspace, actor)
        # The engagement row lock serialises budget checks: two milestones funded at once cannot
        # both squeeze under the limit.
        eng = Engagement.objects.select_for_update().get(pk=engagement.pk)
        m = milestone_transition(milestone_id=milestone.pk, to_state=S.FUNDED, from_states=[S.DRAFT])
        if currency is not None and currency != eng.currency:
            raise CurrencyMismatch(f"This engagement is paid in {eng.currency}, not {currency}.", field="currency")
        if m.currency != eng.currency:
            raise CurrencyMismatch(
                f"The milestone is priced in {m.currency} but the engagement is paid in {eng.currency}; "
                "fix the milestone's currency first."
            )
        amount = _money(m.amount, "amount")
        if expected_amount is not None and _money(expected_amount, "amount") != amount:
            raise InvalidInput("The milestone's amount changed since you confirmed; review it and try again.",
                               field="amount")
        if eng.is_ended:
            raise StateConflict(f"The engagement is {eng.get_status_display().lower()}; nothing more can be funded.")
        committed = committed_spend(eng)
        limit = eng.budget_with_contingency
        if committed + amount > limit:
            raise BudgetExceeded(
                f"Funding this milestone would commit {timeline.money(committed + amount, eng)}, past the budget "
                f"with contingency ({timeline.money(limit, eng)}). Raise the budget first.", field="budget",
            )
        tx = post(
            workspace=eng.workspace, kind=TransactionKind.FUND, currency=eng.currency,
            lines=[(owner_funding_account(eng.workspace), -amount), (escrow_account(eng), amount)],
            idempotency_key=key, fingerprint=fp, engagement=eng, milestone=m, actor=actor,
            memo=f"Funded “{m.title}”",
        )
        emails.milestone_funded(milestone=m, transaction=tx)
        timeline.record(engagement=eng, kind="escrow_funded", actor=actor, milestone=m,
                        summary=f"Funded “{m.title}”: {timeline.money(amount, eng)} held in escrow.")
        return tx

    return run_idempotent(workspace=engagement.workspace, key=idempotency_key, action="milestone_fund",
                          params=params, perform=perform)


# --- Release ----------------------------------------------------------------------------------
def _release(*, milestone, actor, key, fp, automatic=False, memo=""):
    m = milestone_transition(milestone_id=milestone.pk, to_state=S.RELEASED, from_states=[S.SUBMITTED],
                             review_deadline_at=None)
    eng = milestone.engagement
    amount = escrowed_for(m)
    if amount <= 0:
        raise InsufficientFunds("Nothing is held in escrow for this milestone.")
    return post(
        workspace=eng.workspace, kind=TransactionKind.RELEASE, currency=eng.currency,
        lines=[(escrow_account(eng), -amount), (payable_account(eng.freelancer), amount)],
        idempotency_key=key, fingerprint=fp, engagement=eng, milestone=m, actor=actor, automatic=automatic,
        memo=memo or f"Released “{m.title}”",
    )


def milestone_release(*, milestone, actor, idempotency_key):
    """submitted → released: the milestone's escrow becomes payable to the freelancer.
    Only the owner; a disputed milestone is released only through `milestone_resolve`."""
    milestone = _load(milestone)
    workspace = milestone.engagement.workspace

    def perform(key, fp):
        require_owner(workspace, actor)
        tx = _release(milestone=milestone, actor=actor, key=key, fp=fp)
        emails.milestone_released(milestone=milestone, transaction=tx)
        timeline.record(engagement=milestone.engagement, kind="escrow_released", actor=actor, milestone=milestone,
                        summary=f"Released “{milestone.title}” to the freelancer.")
        return tx

    return run_idempotent(workspace=workspace, key=idempotency_key, action="milestone_release",
                          params={"milestone": milestone.pk}, perform=perform)


class NotDue(PaymentError):
    """The sweep's candidate is no longer due (reviewed, extended, re-submitted)."""


def milestone_auto_release(*, milestone_id, now=None):
    """The sweep's release of one submitted milestone whose review deadline has passed,
    recorded as automatic. Returns the transaction, or None when it was not (or no longer) due.
    Its key names the submission, so a second sweep finds the first one's transaction."""
    now = now or timezone.now()
    milestone = Milestone.objects.select_related("engagement__workspace", "engagement__freelancer").get(
        pk=milestone_id
    )
    clock = ReviewClock.objects.filter(milestone=milestone, submitted_at=milestone.state_changed_at).first()
    if milestone.state != S.SUBMITTED or clock is None:
        return None
    key = f"auto-release:{milestone.pk}:{clock.submitted_at.isoformat()}"

    def perform(key, fp):
        # Lock the row, then re-read: an extension or a review may have committed since the
        # candidate was selected. (On SQLite the whole write transaction is serialised.)
        locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
        current = ReviewClock.objects.get(pk=clock.pk)
        if (locked.state != S.SUBMITTED or locked.state_changed_at != current.submitted_at
                or current.deadline_at > now):
            raise NotDue("Not due for automatic release.")
        tx = _release(milestone=milestone, actor=None, key=key, fp=fp, automatic=True,
                      memo=f"Released “{milestone.title}” automatically: not reviewed within "
                           f"{current.window_days + current.extended_days} days")
        emails.milestone_auto_released(milestone=milestone, transaction=tx, clock=current)
        timeline.record(engagement=milestone.engagement, kind="escrow_auto_released", milestone=milestone,
                        summary=f"Released “{milestone.title}” automatically: not reviewed in time.")
        return tx

    try:
        tx = run_idempotent(workspace=milestone.engagement.workspace, key=key, action="milestone_auto_release",
                            params={"milestone": milestone.pk}, perform=perform)
    except (NotDue, StateConflict):
        return None
    return None if tx.replayed else tx


# --- Dispute and resolve ----------------------------------------------------------------------
def milestone_dispute(*, milestone, actor, reason, idempotency_key):
    """funded | submitted | changes_requested → disputed, by either side, with a reason. The
    escrow stays where it is (frozen): neither release nor refund applies until resolved."""
    milestone = _load(milestone)
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
            raise InsufficientFunds("Nothing is held in escrow for this milestone.")
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
    milestone = _load(milestone)
    engagement = milestone.engagement
    release_amount = _whole(release_amount, "release_amount")
    refund_amount = _whole(refund_amount, "refund_amount")
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
                f"Release and refund must add up to what is in escrow ({escrowed}); they add up to {total}.",
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


def _whole(value, field):
    """A non-negative whole number of minor units, or InvalidInput."""
    if isinstance(value, bool):
        raise InvalidInput("Amounts are whole numbers of minor units (cents).", field=field)
    if not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except (TypeError, ValueError):
            raise InvalidInput("Amounts are whole numbers of minor units (cents).", field=field) from None
    if value < 0:
        raise InvalidInput("Amounts cannot be negative.", field=field)
    return value


# --- Refund -----------------------------------------------------------------------------------
def milestone_refund(*, milestone, actor, idempotency_key, reason=""):
    """funded → refunded: the milestone is cancelled before work was submitted and its escrow
    goes back to the owner."""
    milestone = _load(milestone)
    engagement = milestone.engagement
    reason = (reason or "").strip()

    def perform(key, fp):
        require_owner(engagement.workspace, actor)
        m = milestone_transition(milestone_id=milestone.pk, to_state=S.REFUNDED, from_states=[S.FUNDED])
        amount = escrowed_for(m)
        if amount <= 0:
            raise InsufficientFunds("Nothing is held in escrow for this milestone.")
        tx = post(
            workspace=engagement.workspace, kind=TransactionKind.REFUND, currency=engagement.currency,
            lines=[(escrow_account(engagement), -amount), (owner_funding_account(engagement.workspace), amount)],
            idempotency_key=key, fingerprint=fp, engagement=engagement, milestone=m, actor=actor,
            memo=f"Refunded “{m.title}”" + (f": {reason}" if reason else ""),
        )
        emails.milestone_refunded(milestone=m, transaction=tx, reason=reason)
        timeline.record(engagement=engagement, kind="escrow_refunded", actor=actor, milestone=m,
                        summary=f"Cancelled “{m.title}”; {timeline.money(amount, engagement)} refunded.")
        return tx

    return run_idempotent(workspace=engagement.workspace, key=idempotency_key, action="milestone_refund",
                          params={"milestone": milestone.pk, "reason": reason}, perform=perform)


# --- Review clock -----------------------------------------------------------------------------
def review_clock_start(*, milestone_id):
    """Start (or find) the review clock of the milestone's current submission and copy its
    deadline onto `Milestone.review_deadline_at`. Safe to call any number of times; the portal
    and the API call it right after a submission, and the sweep catches any it missed."""
    milestone = Milestone.objects.select_related("engagement__workspace").filter(pk=milestone_id).first()
    if milestone is None or milestone.state != S.SUBMITTED:
        return None
    submitted_at = milestone.state_changed_at
    clock, _ = ReviewClock.objects.get_or_create(
        milestone=milestone, submitted_at=submitted_at,
        defaults={"window_days": review_window_days(milestone.engagement.workspace),
                  "deadline_at": review_deadline_for(milestone, submitted_at)},
    )
    if milestone.review_deadline_at != clock.deadline_at:
        # Only while the milestone is still in this very submission.
        Milestone.objects.filter(pk=milestone.pk, state=S.SUBMITTED, state_changed_at=submitted_at).update(
            review_deadline_at=clock.deadline_at
        )
    return clock


@transaction.atomic
def milestone_submit_for_review(*, milestone_id, freelancer, message, links=(), files=(), attest_own_work=False):
    """Hand in work (engagements' `milestone_submit`) and start the owner's review clock in the
    same transaction: the one submit path for every face above payments (portal, API)."""
    submission = milestone_submit(
        milestone_id=milestone_id, freelancer=freelancer, message=message, links=links, files=files,
        attest_own_work=attest_own_work,
    )
    review_clock_start(milestone_id=milestone_id)
    return submission


def current_review_clock(milestone):
    if milestone.state != S.SUBMITTED:
        return None
    return ReviewClock.objects.filter(milestone=milestone, submitted_at=milestone.state_changed_at).first()


def milestone_review_extend(*, milestone, actor, days=7, reason=""):
    """Give the reviewer more time, once per submission."""
    milestone = _load(milestone)
    require_staff(milestone.engagement.workspace, actor)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_EXTENSION_DAYS:
        raise InvalidInput(f"Extend by 1 to {MAX_EXTENSION_DAYS} days.", field="days")
    with transaction.atomic():
        clock = review_clock_start(milestone_id=milestone.pk)
        if clock is None:
            raise StateConflict("Only submitted work waiting for review can have its review extended.")
        now = timezone.now()
        if clock.deadline_at <= now:
            raise StateConflict("The review deadline has already passed.")
        new_deadline = clock.deadline_at + timedelta(days=days)
        claimed = ReviewClock.objects.filter(pk=clock.pk, extended_at__isnull=True).update(
            extended_days=days, extended_at=now, extended_by=actor, extension_reason=(reason or "").strip()[:300],
            deadline_at=new_deadline,
        )
        if not claimed:
            raise StateConflict("The review of this submission was already extended once.")
        moved = Milestone.objects.filter(
            pk=milestone.pk, state=S.SUBMITTED, state_changed_at=clock.submitted_at
        ).update(review_deadline_at=new_deadline)
        if not moved:
            raise StateConflict("The milestone is no longer waiting for this review.")
        clock.refresh_from_db()
        emails.review_extended(milestone=milestone, clock=clock)
        timeline.record(engagement=milestone.engagement, kind="review_extended", actor=actor, milestone=milestone,
                        summary=f"Review of “{milestone.title}” extended by {days} day{'s' if days != 1 else ''}.")
    return clock


def review_deadlines_sync(*, batch=500):
    """Start clocks for submissions that have none yet (submitted by a path that did not call
    `review_clock_start`). The anti-join only reads submitted milestones (partial index)."""
    missing = (
        Milestone.objects.filter(state=S.SUBMITTED)
        .exclude(Exists(ReviewClock.objects.filter(milestone=OuterRef("pk"),
                                                   submitted_at=OuterRef("state_changed_at"))))
        .values_list("pk", flat=True)[:batch]
    )
    started = 0
    for pk in list(missing):
        if review_clock_start(milestone_id=pk) is not None:
            started += 1
    return started


def auto_release_due(*, now=None, batch=200):
    """The beat sweep: start missing clocks, then release every submitted milestone whose
    review deadline has passed. Each release claims its milestone by the conditional UPDATE,
    so two sweeps at once (or one run twice) release each milestone once."""
    now = now or timezone.now()
    started = review_deadlines_sync()
    due = list(
        Milestone.objects.filter(state=S.SUBMITTED, review_deadline_at__lte=now)
        .order_by("review_deadline_at").values_list("pk", flat=True)[:batch]
    )
    released = 0
    for pk in due:
        try:
            if milestone_auto_release(milestone_id=pk, now=now) is not None:
                released += 1
        except PaymentError:
            log.exception("Automatic release of milestone %s failed", pk)
    return {"clocks_started": started, "released": released}


# --- Budget -----------------------------------------------------------------------------------
def engagement_budget_change(*, engagement, actor, budget, contingency_percent=None, reason):
    """The owner sets a new budget (and contingency), recorded with a reason. Lowering it below
    what is already committed is refused."""
    require_owner(engagement.workspace, actor)
    budget = _whole(budget, "budget")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say why the budget changes.", field="reason")
    with transaction.atomic():
        eng = Engagement.objects.select_for_update().get(pk=engagement.pk)
        percent = eng.contingency_percent if contingency_percent is None else _whole(contingency_percent,
                                                                                      "contingency_percent")
        if percent > 100:
            raise InvalidInput("Contingency is at most 100 %.", field="contingency_percent")
        if budget == eng.budget and percent == eng.contingency_percent:
            raise InvalidInput("That is the current budget.", field="budget")
        committed = committed_spend(eng)
        if budget + budget * percent // 100 < committed:
            raise InvalidInput(
                f"{timeline.money(committed, eng)} is already committed; the budget with contingency cannot be "
                "less.", field="budget",
            )
        change = BudgetChange.objects.create(
            engagement=eng, old_budget=eng.budget, new_budget=budget, old_contingency_percent=eng.contingency_percent,
            new_contingency_percent=percent, currency=eng.currency, reason=reason, changed_by=actor,
        )
        Engagement.objects.filter(pk=eng.pk).update(budget=budget, contingency_percent=percent,
                                                    updated_at=timezone.now())
        timeline.record(engagement=eng, kind="budget_changed", actor=actor,
                        summary=f"Budget {timeline.money(change.old_budget, eng)} → "
                                f"{timeline.money(budget, eng)} ({percent} % contingency): {reason}")
    engagement.refresh_from_db()
    return change
