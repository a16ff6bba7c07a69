"""iCalendar (RFC 5545) text for interview invitations, written by hand: the format is small,
and the rules that matter are easy to get wrong, so they are all here — CRLF line endings,
TEXT escaping, lines folded at 75 octets (never inside a UTF-8 character), times in UTC
with a trailing Z."""

from datetime import UTC

from django.utils import timezone

PRODID = "-//Outsourcing//Interviews//EN"
FOLD_AT = 75  # octets per line, excluding the CRLF


def escape_text(value):
    """TEXT values: backslash, semicolon, comma escaped; newlines become \\n."""
    value = str(value or "")
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line):
    """Split a content line into ≤75-octet pieces, continuation lines starting with a space."""
    encoded = line.encode("utf-8")
    if len(encoded) <= FOLD_AT:
        return line
    parts, current, size = [], [], 0
    limit = FOLD_AT
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size = [], 0
            limit = FOLD_AT - 1  # the leading space of a continuation line counts
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts)


def format_utc(dt):
    return dt.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _param(value):
    # Parameter values with : ; , must be quoted; quotes themselves are not allowed.
    value = str(value).replace('"', "'")
    return f'"{value}"' if any(c in value for c in ":;,") else value


def calendar(*, uid, start, end, summary, description="", location="", url="", organizer=None,
             attendee=None, sequence=0, cancelled=False, stamp=None):
    """One VEVENT in a VCALENDAR. `organizer`/`attendee` are (name, email) pairs."""
    method = "CANCEL" if cancelled else "REQUEST"
    lines = [
        "BEGIN:VCALENDAR",
        f"PRODID:{PRODID}",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{format_utc(stamp or timezone.now())}",
        f"DTSTART:{format_utc(start)}",
        f"DTEND:{format_utc(end)}",
        f"SEQUENCE:{int(sequence)}",
        f"SUMMARY:{escape_text(summary)}",
    ]
    if description:
        lines.append(f"DESCRIPTION:{escape_text(description)}")
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    if url:
        lines.append(f"URL:{url}")
    if organizer:
        name, email = organizer
        lines.append(f"ORGANIZER;CN={_param(name)}:mailto:{email}")
    if attendee:
        name, email = attendee
        lines.append(f"ATTENDEE;CN={_param(name)};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:{email}")
    lines.append("STATUS:CANCELLED" if cancelled else "STATUS:CONFIRMED")
    lines += ["TRANSP:OPAQUE", "END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + "\r\n" for line in lines)


def unfold(text):
    """Parse helper for tests and tools: undo folding, return (name-with-params, value) pairs."""
    unfolded = text.replace("\r\n ", "").replace("\r\n\t", "")
    return [tuple(line.split(":", 1)) for line in unfolded.split("\r\n") if line]
