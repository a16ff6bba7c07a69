"""Milestone escrow: fund, release (by the owner, or automatically once the review window has
passed), refund, and the review clock of submitted work; the submit and request-changes paths
for the faces above payments. Disputes and their resolution are in `disputes.py`.

Each money action is one database transaction (`ledger.run_idempotent`) that first claims the
milestone's state change through `engagements.transitions.milestone_transition` — a
conditional UPDATE that also locks the row until commit — and only then reads what is in
escrow for that milestone and posts ledger rows. Of two racing actions on one milestone the
loser's UPDATE matches nothing once the winner commits, so it raises before writing anything.

The amount that moves out of escrow is always what the ledger says this milestone put in
(`escrowed_for`), never `Milestone.amount` re-read, so an edit of the amount after funding
cannot create or destroy money.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from engagements.models import Engagement, Milestone, MilestoneState
from engagements.selectors import agreement_block
from engagements.services import milestone as work
from engagements.services.transitions import milestone_transition

from .. import emails, timeline
from ..errors import BudgetExceeded, CurrencyMismatch, InsufficientFunds, InvalidInput, PaymentError, StateConflict
from ..models import MAX_EXTENSION_DAYS, ReviewClock, TransactionKind
from ..roles import require_owner, require_staff
from ..selectors import committed_spend, escrowed_for, review_window
from ._amounts import positive
from .ledger import escrow_account, escrow_and_payable_accounts, owner_funding_account, post, run_idempotent

S = MilestoneState


def load_milestone(milestone):
    """The milestone with what every action needs (engagement, workspace, freelancer): as given
    when the caller has just read it with them (the API's scoped lookup), else re-read. Its
    state is never taken from it: each action claims the state change in the database, and
    `milestone_transition` returns the row it locked."""
    if Milestone.engagement.is_cached(milestone) and all(
            relation.is_cached(milestone.engagement) for relation in (Engagement.workspace, Engagement.freelancer)):
        return milestone
    return Milestone.objects.select_related("engagement__workspace", "engagement__freelancer").get(pk=milestone.pk)


def review_deadline_for(milestone, submitted_at):
    """When a submission made at `submitted_at` is released if nobody reviews it."""
    return submitted_at + timedelta(days=review_window(milestone.engagement.workspace))


# --- Fund -------------------------------------------------------------------------------------
def milestone_fund(*, milestone, actor, idempotency_key, expected_amount=None, currency=None):
    """draft → funded: the milestone's amount moves from the owner's funding into the
    engagement's escrow. Refused beyond budget + contingency (raise the budget first).
    `expected_amount`/`currency`, when given (the confirmation page, the API), must match the
    milestone: funding an amount the owner did not see is refused."""
    milestone = load_milestone(milestone)
    engagement = milestone.engagement
    params = {"milestone": milestone.pk, "amount": expected_amount, "currency": currency}

    def perform(key, fp):
        require_owner(engagement.workspace, actor)
        # The engagement row lock serialises budget checks: two milestones funded at once cannot
        # both squeeze under the limit.
        eng = Engagement.objects.select_for_update().get(pk=engagement.pk)
        block = agreement_block(eng, action="fund a milestone")
        if block is not None:
            raise StateConflict(f"{block.message} Read and sign it: {block.owner_url}")
        m = milestone_transition(milestone_id=milestone.pk, to_state=S.FUNDED, from_states=[S.DRAFT])
        if currency is not None and currency != eng.currency:
            raise CurrencyMismatch(f"This engagement is paid in {eng.currency}, not {currency}.", field="currency")
        if m.currency != eng.currency:
            raise CurrencyMismatch(
                f"The milestone is priced in {m.currency} but the engagement is paid in {eng.currency}; "
                "fix the milestone's currency first."
            )
        amount = positive(m.amount, "amount")
        if expected_amount is not None and positive(expected_amount, "amount") != amount:
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
                        summary=f"Funded “{m.title}”: {timeline.money(amount, eng)} in held funds.")
        return tx

    return run_idempotent(workspace=engagement.workspace, key=idempotency_key, action="milestone_fund",
                          params=params, perform=perform)


# --- Release ----------------------------------------------------------------------------------
def _release(*, milestone, actor, key, fp, automatic=False, memo=""):
    m = milestone_transition(milestone_id=milestone.pk, to_state=S.RELEASED, from_states=[S.SUBMITTED],
                             review_deadline_at=None)
    eng = m.engagement = milestone.engagement  # the locked row, with the engagement already read
    escrow, payable, amount = escrow_and_payable_accounts(eng, held_for=m)
    if amount <= 0:
        raise InsufficientFunds("No funds are held for this milestone.")
    tx = post(
        workspace=eng.workspace, kind=TransactionKind.RELEASE, currency=eng.currency,
        lines=[(escrow, -amount), (payable, amount)],
        idempotency_key=key, fingerprint=fp, engagement=eng, milestone=m, actor=actor, automatic=automatic,
        memo=memo or f"Released “{m.title}”",
    )
    m.in_escrow_now = 0  # all it held left escrow in this transaction (the answer need not read it back)
    return tx


def milestone_release(*, milestone, actor, idempotency_key):
    """submitted → released: the milestone's escrow becomes payable to the freelancer.
    Only the owner; a disputed milestone is released only through `milestone_resolve`."""
    milestone = load_milestone(milestone)
    workspace = milestone.engagement.workspace

    def perform(key, fp):
        require_owner(workspace, actor)
        tx = _release(milestone=milestone, actor=actor, key=key, fp=fp)
        released = tx.milestone  # as locked and released
        emails.milestone_released(milestone=released, transaction=tx)
        timeline.record(engagement=released.engagement, kind="escrow_released", actor=actor, milestone=released,
                        summary=f"Released “{released.title}” to the freelancer.")
        return tx

    return run_idempotent(workspace=workspace, key=idempotency_key, action="milestone_release",
                          params={"milestone": milestone.pk}, perform=perform, claim_refuses_retry=True)


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


# --- Refund -----------------------------------------------------------------------------------
def milestone_refund(*, milestone, actor, idempotency_key, reason=""):
    """funded → refunded: the milestone is cancelled before work was submitted and its escrow
    goes back to the owner."""
    milestone = load_milestone(milestone)
    engagement = milestone.engagement
    reason = (reason or "").strip()

    def perform(key, fp):
        require_owner(engagement.workspace, actor)
        m = milestone_transition(milestone_id=milestone.pk, to_state=S.REFUNDED, from_states=[S.FUNDED])
        amount = escrowed_for(m)
        if amount <= 0:
            raise InsufficientFunds("No funds are held for this milestone.")
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
        defaults={"window_days": review_window(milestone.engagement.workspace),
                  "deadline_at": review_deadline_for(milestone, submitted_at)},
    )
    if milestone.review_deadline_at != clock.deadline_at:
        # Only while the milestone is still in this very submission.
        Milestone.objects.filter(pk=milestone.pk, state=S.SUBMITTED, state_changed_at=submitted_at).update(
            review_deadline_at=clock.deadline_at
        )
    return clock


def milestone_review_extend(*, milestone, actor, days=7, reason=""):
    """Give the reviewer more time, once per submission."""
    milestone = load_milestone(milestone)
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


# --- Submit and request changes --------------------------------------------------------------
@transaction.atomic
def milestone_submit_for_review(*, milestone_id, freelancer, message, links=(), files=(), attest_own_work=False):
    """Hand in work (engagements' `milestone_submit`) and start the owner's review clock in the
    same transaction: the one submit path for every face above payments (portal, API)."""
    submission = work.milestone_submit(
        milestone_id=milestone_id, freelancer=freelancer, message=message, links=links, files=files,
        attest_own_work=attest_own_work,
    )
    review_clock_start(milestone_id=milestone_id)
    return submission


@transaction.atomic
def milestone_request_changes(*, milestone, actor, feedback):
    """The owner's review ends with changes asked for (engagements' `milestone_request_changes`):
    submitted → changes_requested. The review clock belonged to that submission; the next one
    starts its own. With `milestone_submit_for_review`, the one path for the faces above payments."""
    return work.milestone_request_changes(milestone=milestone, actor=actor, feedback=feedback)
