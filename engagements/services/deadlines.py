"""Deadlines: the arithmetic, in the freelancer's own time zone, and the recompute that stores
an engagement's deadline columns whenever the rows they depend on change.

Deadlines are stored in UTC, but "in three days" and "end of the day" mean the freelancer's
calendar: adding days goes through local dates and wall-clock times, so a daylight-saving
change inside the interval neither moves a check-in by an hour nor makes a day 23 or 25 hours
long. Every result is an aware UTC datetime. The columns (`next_update_due_at`,
`next_checkin_at`, `Milestone.due_at`) are indexed and recomputed by the actions that change
their inputs; the reminder ladders hanging on them are re-armed in the same UPDATE.
"""

import zoneinfo
from datetime import UTC, datetime, time, timedelta

from ..models import (
    OPEN_STATUSES,
    CheckIn,
    CheckInStatus,
    Engagement,
    EngagementStatus,
    Milestone,
    ReportingPreference,
    StatusUpdate,
)
from .ladders import (
    checkin_nudge_reset,
    checkin_nudges_sync,
    milestone_due_fields,
    quiet_recompute,
    update_ladder_reset,
)

END_OF_DAY = time(23, 59, 59)


def tz_of(freelancer):
    try:
        return zoneinfo.ZoneInfo(freelancer.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _to_utc(local):
    # Round-trip through UTC resolves a wall-clock time that does not exist (inside a spring-
    # forward gap) to the equivalent instant, and an ambiguous one to its first occurrence.
    return local.astimezone(UTC)


def end_of_day(day, tz):
    """The last second of `day` in `tz`, as UTC."""
    return _to_utc(datetime.combine(day, END_OF_DAY, tzinfo=tz))


def add_local_days(moment, days, tz):
    """`moment` plus `days` calendar days at the same wall-clock time in `tz`."""
    local = moment.astimezone(tz)
    target = datetime.combine(local.date() + timedelta(days=days), local.timetz().replace(tzinfo=None), tzinfo=tz)
    return _to_utc(target)


def milestone_due_at(due_on, freelancer):
    """A milestone is due at the end of its due date in the freelancer's time zone."""
    if due_on is None:
        return None
    return end_of_day(due_on, tz_of(freelancer))


def update_due_at(anchor, engagement):
    """The next status update is due by the end of the freelancer's day `update_every_days`
    after `anchor` (their last update, the start, or the resume), plus the grace hours. After
    that moment an update is late (and the reminder sweep may nag)."""
    tz = tz_of(engagement.freelancer)
    day = anchor.astimezone(tz).date() + timedelta(days=engagement.update_every_days)
    return end_of_day(day, tz) + timedelta(hours=engagement.update_grace_hours)


# --- The engagement's deadline columns ------------------------------------------------------------
def _cadence_anchor(engagement):
    """Where the update cadence counts from: the last update, else the start or the last
    resume, whichever is latest."""
    last = (
        StatusUpdate.objects.filter(engagement=engagement).order_by("-created_at").values_list("created_at", flat=True)
        .first()
    )
    moments = [m for m in (last, engagement.activated_at, engagement.resumed_at) if m]
    return max(moments) if moments else None


def _next_update_due(engagement):
    # "Delivery only": the work itself is the report, so no update is ever due (or late).
    if engagement.status != EngagementStatus.ACTIVE or engagement.reporting_preference == ReportingPreference.DELIVERY:
        return None
    anchor = _cadence_anchor(engagement)
    return update_due_at(anchor, engagement) if anchor else None


def _next_checkin_due(engagement):
    """The earliest check-in still to be held; with none scheduled, the cadence after the last
    one held (or after the start/resume), at the same local wall-clock time."""
    if engagement.is_ended or engagement.status == EngagementStatus.PAUSED:
        return None
    upcoming = (
        CheckIn.objects.filter(engagement=engagement, status=CheckInStatus.SCHEDULED)
        .order_by("scheduled_at").values_list("scheduled_at", flat=True).first()
    )
    if upcoming:
        return upcoming
    if engagement.status != EngagementStatus.ACTIVE:
        return None
    last = (
        CheckIn.objects.filter(engagement=engagement).exclude(status=CheckInStatus.SCHEDULED)
        .order_by("-scheduled_at").values_list("scheduled_at", flat=True).first()
    )
    anchors = [m for m in (last, engagement.activated_at, engagement.resumed_at) if m]
    if not anchors:
        return None
    return add_local_days(max(anchors), engagement.checkin_every_days, tz_of(engagement.freelancer))


def engagement_deadlines_recompute(*, engagement):
    """Recompute both deadline columns from the rows they depend on, and store them. The
    reminder ladders that hang on them restart when a deadline moved (ladders.py)."""
    engagement.next_update_due_at = _next_update_due(engagement)
    engagement.next_checkin_at = _next_checkin_due(engagement)
    Engagement.objects.filter(pk=engagement.pk).update(
        next_update_due_at=engagement.next_update_due_at, next_checkin_at=engagement.next_checkin_at,
        **update_ladder_reset(engagement.next_update_due_at),
        **checkin_nudge_reset(engagement.next_checkin_at),
    )
    checkin_nudges_sync(engagement=engagement)
    quiet_recompute(engagement_id=engagement.pk)
    return engagement


def milestones_due_recompute(*, engagement):
    """Milestone due moments follow the freelancer's time zone (called when it may have
    changed: the engagement is saved, activated or resumed)."""
    for milestone in engagement.milestones.filter(due_on__isnull=False):
        due_at = milestone_due_at(milestone.due_on, engagement.freelancer)
        if due_at != milestone.due_at:
            Milestone.objects.filter(pk=milestone.pk).update(
                due_at=due_at, **milestone_due_fields(milestone.due_on, engagement.freelancer))



def freelancer_deadlines_recompute(*, freelancer):
    """The freelancer's time zone changed (on the owner's page, through the API or in their
    portal profile): every open engagement's deadlines and milestone due moments follow it.
    Registered with freelancers' `freelancer_update` when this app loads (engagements/apps.py)."""
    open_ones = freelancer.engagements.filter(status__in=OPEN_STATUSES).select_related("freelancer", "workspace")
    for engagement in open_ones:
        engagement_deadlines_recompute(engagement=engagement)
        milestones_due_recompute(engagement=engagement)
