"""Hearing from the freelancer: status updates on a cadence, and check-ins.

Each update is measured against `Engagement.next_update_due_at` (late when it comes after it)
and moves that deadline on; scheduling or recording a check-in moves `next_checkin_at`.
"""

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .. import ics, webhooks
from ..emails import notify_freelancer, notify_owners
from ..models import (
    RUNNING_STATUSES,
    ActivityKind,
    CheckIn,
    CheckInStatus,
    Engagement,
    EngagementStatus,
    StatusUpdate,
    UpdatePrompts,
)
from .activity import activity_record
from .deadlines import engagement_deadlines_recompute, tz_of
from .ladders import engagement_heard_from
from .transitions import ConflictError, NotAllowed


def update_prompts_save(*, workspace, done_prompt, next_prompt, blockers_prompt):
    prompts, _ = UpdatePrompts.objects.update_or_create(
        workspace=workspace,
        defaults={"done_prompt": done_prompt.strip(), "next_prompt": next_prompt.strip(),
                  "blockers_prompt": blockers_prompt.strip()},
    )
    return prompts


@transaction.atomic
def status_update_post(*, engagement_id, freelancer, done, next, blockers="", percent_complete, hours=None):
    """The freelancer reports progress. Marked late when it comes after the deadline; the next
    deadline counts from now."""
    engagement = (
        Engagement.objects.select_for_update().select_related("freelancer", "workspace")
        .filter(pk=engagement_id).first()
    )
    if engagement is None or engagement.freelancer_id != freelancer.pk:
        raise NotAllowed("No such engagement for this freelancer.")
    if engagement.status not in RUNNING_STATUSES:
        raise ConflictError(f"Updates are posted while the engagement is under way; it is "
                            f"{engagement.get_status_display().lower()}.")
    errors = {}
    done, next, blockers = (done or "").strip(), (next or "").strip(), (blockers or "").strip()
    if not done:
        errors["done"] = "Say what was done."
    if not next:
        errors["next"] = "Say what comes next."
    try:
        percent_complete = int(percent_complete)
        if not 0 <= percent_complete <= 100:
            raise ValueError
    except (TypeError, ValueError):
        errors["percent_complete"] = "A whole number from 0 to 100."
    if hours is not None:
        try:
            hours = Decimal(str(hours))
            if hours < 0 or hours >= 10000 or hours != hours.quantize(Decimal("0.01")):
                raise ValueError
        except (ArithmeticError, ValueError):
            errors["hours"] = "Hours as a number such as 6 or 7.5."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    due = engagement.next_update_due_at if engagement.status == EngagementStatus.ACTIVE else None
    update = StatusUpdate.objects.create(
        engagement=engagement, freelancer=freelancer, done=done, next=next, blockers=blockers,
        percent_complete=percent_complete, hours=hours, due_at=due, late=bool(due and now > due), created_at=now,
    )
    engagement_heard_from(engagement=engagement, at=now)
    engagement_deadlines_recompute(engagement=engagement)
    activity_record(engagement=engagement, kind=ActivityKind.STATUS_UPDATE, actor_freelancer=freelancer,
                    summary=f"Status update: {percent_complete}% complete" + (" (late)" if update.late else "")
                    + (" — blockers reported." if blockers else "."), at=now)
    webhooks.status_update_created(update, engagement)
    if blockers:
        notify_owners(engagement, kind="status_blocker", key=f"status-blocker:{update.pk}",
                      context={"blockers": blockers, "percent_complete": percent_complete})
    return update


# --- Check-ins ---------------------------------------------------------------------------------
def _check_when(scheduled_at):
    now = timezone.now()
    if not (now - timedelta(days=5 * 366) <= scheduled_at <= now + timedelta(days=5 * 366)):
        raise ValidationError({"scheduled_at": "Choose a time within five years of today."})


def _open(engagement):
    engagement = Engagement.objects.select_for_update().select_related("freelancer", "workspace").get(pk=engagement.pk)
    if engagement.is_ended:
        raise ConflictError("Check-ins cannot be planned on a finished engagement.")
    return engagement


@transaction.atomic
def checkin_schedule(*, engagement, actor, scheduled_at, agenda="", duration_minutes=30, meeting_url="",
                     notes="", happened=None):
    """Plan a check-in (or, with `happened` True/False, record one that already took place or
    was missed)."""
    _check_when(scheduled_at)
    engagement = _open(engagement)
    checkin = CheckIn(engagement=engagement, scheduled_at=scheduled_at, agenda=(agenda or "").strip(),
                      duration_minutes=duration_minutes, meeting_url=meeting_url or "", notes=(notes or "").strip(),
                      created_by=actor)
    if happened is not None:
        if scheduled_at > timezone.now():
            raise ValidationError({"happened": "A check-in in the future cannot have happened yet."})
        checkin.status = CheckInStatus.HAPPENED if happened else CheckInStatus.MISSED
        checkin.recorded_at, checkin.recorded_by = timezone.now(), actor
    checkin.full_clean()
    checkin.save()
    engagement_deadlines_recompute(engagement=engagement)
    when = timezone.localtime(scheduled_at, timezone=engagement.workspace.tzinfo)
    if happened is None:
        activity_record(engagement=engagement, kind=ActivityKind.CHECKIN_SCHEDULED, actor_user=actor,
                        summary=f"Scheduled a check-in for {when:%a %d %b %Y %H:%M} ({engagement.workspace.timezone}).")
        if engagement.status != EngagementStatus.DRAFT:
            _notify_checkin(engagement, checkin)
    else:
        activity_record(engagement=engagement, kind=ActivityKind.CHECKIN_RECORDED, actor_user=actor,
                        summary=f"Check-in of {when:%d %b %Y} {checkin.get_status_display().lower()}.")
    return checkin


def _notify_checkin(engagement, checkin):
    """Email the freelancer the check-in, in their time zone, with a calendar invitation
    (engagements/ics.py). A moved check-in is a new email (new key) with the next SEQUENCE, so
    calendars update the same event."""
    tz = tz_of(engagement.freelancer)
    local = timezone.localtime(checkin.scheduled_at, timezone=tz)
    notify_freelancer(
        engagement, kind="checkin_scheduled", key=f"checkin:{checkin.pk}:{checkin.sequence}",
        context={"when": f"{local:%A %d %B %Y, %H:%M} ({tz.key})", "agenda": checkin.agenda,
                 "meeting_url": checkin.meeting_url, "minutes": checkin.duration_minutes},
        attachments=[{"filename": "check-in.ics", "mimetype": ics.mimetype(),
                      "content": ics.checkin_calendar(checkin=checkin, engagement=engagement)}],
    )


def checkin_cancellation_notify(*, engagement, checkin):
    """The calendar CANCEL of a check-in the freelancer was invited to (cancelled, or its
    engagement ended), with the next SEQUENCE, so their calendar removes the event."""
    if engagement.status == EngagementStatus.DRAFT or checkin.scheduled_at <= timezone.now():
        return  # never invited, or already over
    checkin.sequence += 1
    CheckIn.objects.filter(pk=checkin.pk).update(sequence=checkin.sequence)
    tz = tz_of(engagement.freelancer)
    local = timezone.localtime(checkin.scheduled_at, timezone=tz)
    notify_freelancer(
        engagement, kind="checkin_cancelled", key=f"checkin-cancelled:{checkin.pk}",
        context={"when": f"{local:%A %d %B %Y, %H:%M} ({tz.key})"},
        attachments=[{"filename": "check-in.ics", "mimetype": ics.mimetype(cancelled=True),
                      "content": ics.checkin_calendar(checkin=checkin, engagement=engagement, cancelled=True)}],
    )


@transaction.atomic
def checkin_update(*, checkin, actor, scheduled_at, agenda="", duration_minutes=30, meeting_url=""):
    _check_when(scheduled_at)
    engagement = _open(checkin.engagement)
    checkin = CheckIn.objects.select_for_update().get(pk=checkin.pk)
    if checkin.status != CheckInStatus.SCHEDULED:
        raise ConflictError("A check-in that was already recorded cannot be moved.")
    moved = checkin.scheduled_at != scheduled_at
    if moved:
        checkin.sequence += 1
    checkin.scheduled_at, checkin.agenda = scheduled_at, (agenda or "").strip()
    checkin.duration_minutes, checkin.meeting_url = duration_minutes, meeting_url or ""
    checkin.full_clean()
    checkin.save()
    engagement_deadlines_recompute(engagement=engagement)
    if moved:
        when = timezone.localtime(scheduled_at, timezone=engagement.workspace.tzinfo)
        activity_record(engagement=engagement, kind=ActivityKind.CHECKIN_SCHEDULED, actor_user=actor,
                        summary=f"Moved a check-in to {when:%a %d %b %Y %H:%M} ({engagement.workspace.timezone}).")
        if engagement.status != EngagementStatus.DRAFT:
            _notify_checkin(engagement, checkin)
    return checkin


@transaction.atomic
def checkin_record(*, checkin, actor, happened, notes=""):
    """Say whether a check-in happened (with notes) or was missed."""
    engagement = Engagement.objects.select_for_update().select_related("freelancer", "workspace").get(
        pk=checkin.engagement_id)
    status = CheckInStatus.HAPPENED if happened else CheckInStatus.MISSED
    if happened and checkin.scheduled_at > timezone.now():
        raise ValidationError({"happened": "This check-in is in the future; it cannot have happened yet."})
    now = timezone.now()
    CheckIn.objects.filter(pk=checkin.pk).update(status=status, notes=(notes or "").strip(), recorded_at=now,
                                                 recorded_by=actor)
    checkin.refresh_from_db()
    engagement_deadlines_recompute(engagement=engagement)
    when = timezone.localtime(checkin.scheduled_at, timezone=engagement.workspace.tzinfo)
    activity_record(engagement=engagement, kind=ActivityKind.CHECKIN_RECORDED, actor_user=actor,
                    summary=f"Check-in of {when:%d %b %Y} {checkin.get_status_display().lower()}.")
    return checkin


@transaction.atomic
def checkin_cancel(*, checkin, actor):
    engagement = _open(checkin.engagement)
    checkin = CheckIn.objects.select_for_update(of=("self",)).select_related("created_by").filter(
        pk=checkin.pk, status=CheckInStatus.SCHEDULED).first()
    if checkin is None:
        raise ConflictError("Only a check-in that is still scheduled can be cancelled.")
    checkin_cancellation_notify(engagement=engagement, checkin=checkin)
    checkin.delete()
    engagement_deadlines_recompute(engagement=engagement)
    activity_record(engagement=engagement, kind=ActivityKind.CHECKIN_SCHEDULED, actor_user=actor,
                    summary="Cancelled a scheduled check-in.")
