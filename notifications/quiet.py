"""Decent hours: reminders reach a person between 08:00 and 20:00 in their own time zone.

A reminder that falls outside that window is not dropped: its notification row gets
`not_before` = the next 08:00 there, and the outbox recovery sweep hands it to a worker once
that moment passes. Wall-clock times go through local dates (zoneinfo), so a daylight-saving
change overnight still lands the email at 08:00 local, not 07:00 or 09:00.
"""

import zoneinfo
from datetime import UTC, datetime, time, timedelta

DAY_STARTS = time(8, 0)
DAY_ENDS = time(20, 0)


def zone(name):
    """The ZoneInfo for an IANA name; UTC for an empty or unknown one (never an error: a bad
    time zone on a profile must not stop a reminder)."""
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def at_local(day, clock, tz):
    """`clock` o'clock on `day` in `tz`, as an aware UTC datetime. A wall-clock time inside a
    spring-forward gap resolves to the equivalent instant; an ambiguous one to its first."""
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC)


def is_decent(moment, tz_name):
    local = moment.astimezone(zone(tz_name)).time()
    return DAY_STARTS <= local < DAY_ENDS


def decent_not_before(moment, tz_name):
    """None when `moment` is between 08:00 and 20:00 in `tz_name`; otherwise the next 08:00
    there (this morning if it is before 08:00, tomorrow if it is after 20:00)."""
    tz = zone(tz_name)
    local = moment.astimezone(tz)
    if DAY_STARTS <= local.time() < DAY_ENDS:
        return None
    day = local.date() if local.time() < DAY_STARTS else local.date() + timedelta(days=1)
    return at_local(day, DAY_STARTS, tz)


def next_local(moment, clock, tz_name):
    """The first `clock` o'clock in `tz_name` strictly after `moment` (the digest's 08:00)."""
    tz = zone(tz_name)
    local = moment.astimezone(tz)
    candidate = at_local(local.date(), clock, tz)
    if candidate <= moment:
        candidate = at_local(local.date() + timedelta(days=1), clock, tz)
    return candidate
