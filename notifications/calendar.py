"""iCalendar (RFC 5545) documents, built with the `icalendar` package: the invitations emailed
for interviews and check-ins (one event with METHOD:REQUEST or CANCEL), and the private
calendar feeds (many events, times in the reader's zone with its VTIMEZONE). Escaping, folding
at 75 octets and CRLF line endings are the package's job."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

PRODID = "-//Outsourcing//Calendar//EN"


def _calendar(**properties):
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    for name, value in properties.items():
        cal.add(name.replace("_", "-"), value)
    return cal


def _address(name, email, **params):
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["cn"] = name
    for key, value in params.items():
        address.params[key.replace("_", "-")] = value
    return address


def invitation(*, uid, start, end, summary, description="", location="", url="", organizer=None,
               attendee=None, sequence=0, cancelled=False, stamp=None):
    """One VEVENT in a VCALENDAR with METHOD:REQUEST (or CANCEL), times in UTC. `organizer` and
    `attendee` are (name, email) pairs. Returns text (it is stored in the outbox as JSON)."""
    cal = _calendar(method="CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", (stamp or timezone.now()).astimezone(UTC))
    event.add("dtstart", start.astimezone(UTC))
    event.add("dtend", end.astimezone(UTC))
    event.add("sequence", int(sequence))
    event.add("summary", summary)
    if description:
        event.add("description", description)
    if location:
        event.add("location", location)
    if url:
        event.add("url", url)
    if organizer:
        event.add("organizer", _address(*organizer))
    if attendee:
        event.add("attendee", _address(*attendee, role="REQ-PARTICIPANT", partstat="NEEDS-ACTION",
                                       rsvp="FALSE"))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    cal.add_component(event)
    return cal.to_ical().decode("utf-8")


@dataclass(frozen=True)
class FeedEvent:
    """One entry of a calendar feed. `uid` must stay the same for the same thing across fetches
    (calendar apps update an event by it); `start` is an aware datetime, or a date for an
    all-day entry."""

    uid: str
    start: datetime | date
    summary: str
    duration: timedelta | None = None
    description: str = ""
    url: str = ""
    changed_at: datetime | None = None


def feed(*, name, events, tz, stamp=None):
    """A subscribable VCALENDAR (no METHOD): every event's times in `tz` (a ZoneInfo) with the
    zone's VTIMEZONE, so a calendar shows them at the right wall-clock time whatever its own
    zone. Returns bytes."""
    stamp = (stamp or timezone.now()).astimezone(UTC)
    cal = _calendar(x_wr_calname=name, x_wr_timezone=tz.key, x_published_ttl="PT1H")
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        if isinstance(item.start, datetime):
            event.add("dtstart", item.start.astimezone(tz))
            event.add("duration", item.duration or timedelta(minutes=0))
        else:
            event.add("dtstart", item.start)
            event.add("dtend", item.start + timedelta(days=1))
        event.add("summary", item.summary)
        if item.description:
            event.add("description", item.description)
        if item.url:
            event.add("url", item.url)
        if item.changed_at:
            event.add("last-modified", item.changed_at.astimezone(UTC))
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    if tz.key != "UTC":
        cal.add_missing_timezones()
    return cal.to_ical()
