"""Check-in invitations as iTIP messages (RFC 5546 over RFC 5545), built with the `icalendar`
package: METHOD REQUEST (or CANCEL), an ORGANIZER and an ATTENDEE — without them mail clients
show a plain attachment instead of an invitation — our own PRODID, a stable UID and the
check-in's SEQUENCE, so a moved check-in updates the same event and a cancelled one removes it.
The attachment's MIME type carries the same method (`mimetype()`).
"""

from datetime import timedelta
from urllib.parse import urlparse

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//Outsourcing//Check-ins//EN"


def _address(email, name):
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = vText(name)
    return address


def organizer_of(checkin, engagement):
    """Who invites: whoever planned the check-in, else the workspace (from the sending address)."""
    user = checkin.created_by
    if user is not None:
        return user.email, user.get_full_name() or user.email
    return settings.DEFAULT_FROM_EMAIL, engagement.workspace.name


def mimetype(*, cancelled=False):
    return f"text/calendar; method={'CANCEL' if cancelled else 'REQUEST'}"


def checkin_calendar(*, checkin, engagement, cancelled=False, stamp=None):
    """The .ics text (CRLF, folded) of one check-in for its freelancer."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    host = urlparse(settings.SITE_URL).hostname or "localhost"
    event.add("uid", f"checkin-{checkin.pk}@{host}")
    event.add("dtstamp", stamp or timezone.now())
    event.add("dtstart", checkin.scheduled_at)
    event.add("dtend", checkin.scheduled_at + timedelta(minutes=checkin.duration_minutes))
    event.add("sequence", checkin.sequence)
    event.add("summary", f"Check-in: {engagement.title}")
    if checkin.agenda:
        event.add("description", checkin.agenda)
    if checkin.meeting_url:
        event.add("location", checkin.meeting_url)
        event.add("url", checkin.meeting_url)
    email, name = organizer_of(checkin, engagement)
    event.add("organizer", _address(email, name))
    attendee = _address(engagement.freelancer.email, engagement.freelancer.name)
    attendee.params.update({"ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION", "RSVP": "FALSE"})
    event.add("attendee", attendee)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    cal.add_component(event)
    return cal.to_ical().decode()
