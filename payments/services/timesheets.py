"""Hourly engagements: weekly timesheets, the weekly cap, approval and disputes.

Decision: hourly work is paid in arrears and is not escrowed. Approving a week moves its
amount from the owner's funding straight to what is owed to the freelancer (a `timesheet`
ledger transaction). Escrow therefore holds milestone money only, and an engagement's escrow
always equals what its unfinished milestones were funded with. The owner's protection is the
weekly cap and the approval window; the freelancer's is that a week nobody reviews within the
workspace's review window is approved automatically, like a milestone.

Every state change is a conditional UPDATE on the timesheet's state, the same guard as the
milestone helper: of two racing approvals (or an approval racing the sweep) one wins, the other
writes nothing.
"""

import zoneinfo
from datetime import timedelta

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from engagements.models import PayTerms

from .. import emails, timeline
from ..errors import InvalidInput, StateConflict
from ..models import (
    MAX_APPROVAL_EXTENSION_DAYS,
    TIMESHEET_EDITABLE_STATES,
    TIMESHEET_TRANSITIONS,
    ChargePurpose,
    TimeEntry,
    Timesheet,
    TimesheetState,
    TransactionKind,
    amount_for,
    week_start_of,
)
from ..providers import stripe_enabled
from ..roles import require_freelancer, require_owner, require_staff
from ..selectors import review_window, timesheet_minutes
from .ledger import owner_funding_account, payable_account, post, run_idempotent
from .provider_charges import charge_open, charge_poster

T = TimesheetState


def _move(timesheet, to_state, from_states=None, **fields):
    allowed = {s for s, targets in TIMESHEET_TRANSITIONS.items() if to_state in targets}
    if from_states is not None:
        allowed &= set(from_states)
    moved = Timesheet.objects.filter(pk=timesheet.pk, state__in=allowed).update(state=to_state, **fields)
    if moved != 1:
        current = Timesheet.objects.filter(pk=timesheet.pk).values_list("state", flat=True).first()
        label = TimesheetState(current).label.lower() if current else "gone"
        raise StateConflict(f"This timesheet is {label}; it cannot become {TimesheetState(to_state).label.lower()}.")
    timesheet.refresh_from_db()
    return timesheet


def _check_hourly(engagement):
    if engagement.pay_terms != PayTerms.HOURLY:
        raise InvalidInput("Timesheets are for hourly engagements; this one is paid by milestones.")


def _cap_minutes(engagement):
    return engagement.weekly_hour_cap * 60 if engagement.weekly_hour_cap else None


def _fmt_minutes(minutes):
    return f"{minutes // 60} h {minutes % 60:02d} min"


def timesheet_for_week(*, engagement, day, actor):
    """The freelancer's timesheet for the week containing `day` (created when first needed)."""
    require_freelancer(engagement, actor)
    _check_hourly(engagement)
    timesheet, _ = Timesheet.objects.get_or_create(
        engagement=engagement, week_start=week_start_of(day), defaults={"currency": engagement.currency}
    )
    return timesheet


def timesheet_entry_add(*, timesheet, actor, day, minutes, description):
    """Log time on one day of the week. Refused past the engagement's weekly cap."""
    engagement = timesheet.engagement
    require_freelancer(engagement, actor)
    _check_hourly(engagement)
    description = (description or "").strip()
    if not description:
        raise InvalidInput("Say what you worked on.", field="description")
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 24 * 60:
        raise InvalidInput("Log between 1 minute and 24 hours.", field="minutes")
    if not timesheet.week_start <= day <= timesheet.week_start + timedelta(days=6):
        raise InvalidInput("That day is not in this timesheet's week.", field="day")
    if day > timezone.localdate(timezone=zoneinfo.ZoneInfo(engagement.freelancer.timezone or "UTC")):
        raise InvalidInput("You cannot log time for a day that has not come yet.", field="day")
    with transaction.atomic():
        # The row lock serialises concurrent additions, so the cap check sees every one of them.
        locked = Timesheet.objects.select_for_update().get(pk=timesheet.pk)
        if locked.state not in TIMESHEET_EDITABLE_STATES:
            raise StateConflict("This timesheet was submitted; it can no longer be changed.")
        day_total = locked.entries.filter(day=day).aggregate(total=Sum("minutes"))["total"] or 0
        if day_total + minutes > 24 * 60:
            raise InvalidInput("A day has only 24 hours.", field="minutes")
        cap = _cap_minutes(engagement)
        week_total = timesheet_minutes(locked)
        if cap is not None and week_total + minutes > cap:
            raise InvalidInput(
                f"The weekly cap is {engagement.weekly_hour_cap} h; {_fmt_minutes(week_total)} are already "
                f"logged, so at most {_fmt_minutes(max(cap - week_total, 0))} more fit this week.",
                field="minutes",
            )
        return TimeEntry.objects.create(timesheet=locked, day=day, minutes=minutes, description=description[:300])


@transaction.atomic
def timesheet_entry_log(*, engagement, actor, day, minutes, description):
    """Log time on `day` in that week's timesheet, made when first needed, in one transaction:
    a refused entry leaves no empty week behind."""
    timesheet = timesheet_for_week(engagement=engagement, day=day, actor=actor)
    return timesheet_entry_add(timesheet=timesheet, actor=actor, day=day, minutes=minutes, description=description)


def timesheet_entry_delete(*, entry, actor):
    timesheet = entry.timesheet
    require_freelancer(timesheet.engagement, actor)
    with transaction.atomic():
        locked = Timesheet.objects.select_for_update().get(pk=timesheet.pk)
        if locked.state not in TIMESHEET_EDITABLE_STATES:
            raise StateConflict("This timesheet was submitted; it can no longer be changed.")
        TimeEntry.objects.filter(pk=entry.pk, timesheet=locked).delete()


def _hourly_rate(engagement):
    freelancer = engagement.freelancer
    if freelancer.rate_unit != "hour" or not freelancer.rate_amount:
        raise InvalidInput("The freelancer has no hourly rate; the owner must set one on their profile first.")
    if freelancer.currency != engagement.currency:
        raise InvalidInput(
            f"The freelancer's rate is in {freelancer.currency} but the engagement pays in {engagement.currency}."
        )
    return freelancer.rate_amount


def timesheet_submit(*, timesheet, actor):
    """draft | disputed → submitted: the owner has the review window to approve or dispute."""
    engagement = timesheet.engagement
    require_freelancer(engagement, actor)
    with transaction.atomic():
        locked = Timesheet.objects.select_for_update().get(pk=timesheet.pk)
        minutes = timesheet_minutes(locked)
        if minutes <= 0:
            raise InvalidInput("Log some time before submitting the week.")
        cap = _cap_minutes(engagement)
        if cap is not None and minutes > cap:
            raise InvalidInput(f"{_fmt_minutes(minutes)} is over the weekly cap of {engagement.weekly_hour_cap} h.")
        now = timezone.now()
        rate = _hourly_rate(engagement)
        return _move(
            locked, T.SUBMITTED, submitted_at=now, hourly_rate=rate, currency=engagement.currency,
            approval_deadline_at=now + timedelta(days=review_window(engagement.workspace)), extended_at=None,
        )


def _approve(*, timesheet, actor, key, fp, automatic):
    engagement = timesheet.engagement
    if automatic:
        _still_due(timesheet)
    # A person may approve a disputed week; the sweep only a week still waiting for approval.
    ts = _move(timesheet, T.APPROVED, from_states=[T.SUBMITTED] if automatic else None,
               decided_at=timezone.now(), decided_by=actor, approval_deadline_at=None)
    minutes = timesheet_minutes(ts)
    amount = amount_for(minutes, ts.hourly_rate or 0)
    if amount <= 0:
        raise InvalidInput("Nothing to pay for this week.")
    memo = (f"Week of {ts.week_start:%-d %b %Y}: {_fmt_minutes(minutes)} at {ts.hourly_rate} per hour"
            + (" (approved automatically)" if automatic else ""))
    if stripe_enabled():  # charged to the owner's saved method first; owed once paid
        return charge_open(engagement=engagement, purpose=ChargePurpose.TIMESHEET, amount=amount, key=key, fp=fp,
                           actor=actor, automatic=automatic, memo=memo, timesheet=ts)
    return _approval_post(ts, amount=amount, minutes=minutes, key=key, fp=fp, actor=actor, automatic=automatic,
                          memo=memo)


def _approval_post(ts, *, amount, minutes, key, fp, actor, automatic, memo):
    """The approved week's amount becomes owed (at once, or once its charge succeeded)."""
    engagement = ts.engagement
    tx = post(
        workspace=engagement.workspace, kind=TransactionKind.TIMESHEET, currency=ts.currency,
        lines=[(owner_funding_account(engagement.workspace), -amount),
               (payable_account(engagement.freelancer), amount)],
        idempotency_key=key, fingerprint=fp, engagement=engagement, actor=actor, automatic=automatic, memo=memo,
    )
    Timesheet.objects.filter(pk=ts.pk).update(transaction=tx)
    ts.transaction = tx
    emails.timesheet_approved(timesheet=ts, transaction=tx, amount=amount)
    timeline.record(engagement=engagement, kind="timesheet_approved", actor=actor,
                    summary=f"Week of {ts.week_start:%-d %b %Y} approved{' automatically' if automatic else ''}: "
                            f"{_fmt_minutes(minutes)}, {timeline.money(amount, engagement)}.")
    return tx


@charge_poster(ChargePurpose.TIMESHEET)
def _approval_charged(charge):
    ts = Timesheet.objects.select_related("engagement__workspace", "engagement__freelancer").get(
        pk=charge.timesheet_id)
    return _approval_post(ts, amount=charge.amount, minutes=timesheet_minutes(ts), key=charge.ledger_key,
                          fp=charge.request_fingerprint, actor=charge.created_by, automatic=charge.automatic,
                          memo=charge.memo)


def timesheet_approve(*, timesheet, actor, idempotency_key):
    """submitted | disputed → approved: the week's amount becomes owed to the freelancer."""
    engagement = timesheet.engagement

    def perform(key, fp):
        require_owner(engagement.workspace, actor)
        return _approve(timesheet=timesheet, actor=actor, key=key, fp=fp, automatic=False)

    return run_idempotent(workspace=engagement.workspace, key=idempotency_key, action="timesheet_approve",
                          params={"timesheet": timesheet.pk}, perform=perform)


def timesheet_dispute(*, timesheet, actor, reason):
    """submitted → disputed: sent back to the freelancer with the reason; they correct the
    week and submit it again (or the owner approves it as it is)."""
    require_staff(timesheet.engagement.workspace, actor)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say what is wrong with this week.", field="reason")
    with transaction.atomic():
        ts = _move(timesheet, T.DISPUTED, from_states=[T.SUBMITTED], dispute_reason=reason, decided_by=actor,
                   decided_at=timezone.now(), approval_deadline_at=None)
        emails.timesheet_disputed(timesheet=ts, reason=reason)
        timeline.record(engagement=ts.engagement, kind="timesheet_disputed", actor=actor,
                        summary=f"Week of {ts.week_start:%-d %b %Y} disputed.")
    return ts


def timesheet_approval_extend(*, timesheet, actor, days=7):
    """More time to review a submitted week, once per submission."""
    require_staff(timesheet.engagement.workspace, actor)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_APPROVAL_EXTENSION_DAYS:
        raise InvalidInput(f"Extend by 1 to {MAX_APPROVAL_EXTENSION_DAYS} days.", field="days")
    now = timezone.now()
    ts = Timesheet.objects.get(pk=timesheet.pk)
    if ts.state != T.SUBMITTED or ts.approval_deadline_at is None or ts.approval_deadline_at <= now:
        raise StateConflict("Only a submitted week whose approval is not yet due can be extended.")
    moved = Timesheet.objects.filter(
        pk=ts.pk, state=T.SUBMITTED, extended_at__isnull=True, submitted_at=ts.submitted_at
    ).update(approval_deadline_at=ts.approval_deadline_at + timedelta(days=days), extended_at=now)
    if not moved:
        raise StateConflict("The approval of this week was already extended once.")
    ts.refresh_from_db()
    return ts


def _still_due(timesheet):
    """The sweep read the week before this transaction: lock it and check that nobody disputed,
    approved or extended it since."""
    due = (Timesheet.objects.select_for_update()
           .filter(pk=timesheet.pk, state=T.SUBMITTED, approval_deadline_at__lte=timezone.now()).exists())
    if not due:
        raise StateConflict("This week is no longer waiting for an automatic approval.")


def timesheet_auto_approve(*, timesheet):
    """The sweep's approval of one submitted week nobody reviewed within the window, recorded as
    automatic. Its key names the submission, so a second sweep finds the first one's
    transaction (`replayed`). A week a person approved or disputed meanwhile is StateConflict."""
    key = f"auto-approve:{timesheet.pk}:{timesheet.submitted_at.isoformat()}"

    def perform(key, fp):
        return _approve(timesheet=timesheet, actor=None, key=key, fp=fp, automatic=True)

    return run_idempotent(workspace=timesheet.engagement.workspace, key=key, action="timesheet_auto_approve",
                          params={"timesheet": timesheet.pk}, perform=perform)
