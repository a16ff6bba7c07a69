"""Deadline arithmetic, in the freelancer's own time zone.

Deadlines are stored in UTC, but "in three days" and "end of the day" mean the freelancer's
calendar: adding days goes through local dates and wall-clock times, so a daylight-saving
change inside the interval neither moves a check-in by an hour nor makes a day 23 or 25 hours
long. Every result is an aware UTC datetime.
"""

import zoneinfo
from datetime import UTC, datetime, time, timedelta

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
