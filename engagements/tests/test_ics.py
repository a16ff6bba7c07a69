"""Check-in invitations are real iTIP requests (RFC 5546), like interviews: ORGANIZER and
ATTENDEE, the method in the MIME type, our own PRODID, a SEQUENCE that counts changes, and a
CANCEL when the check-in is cancelled, so the freelancer's calendar adds, moves and removes
the event."""

import datetime as dt
from datetime import UTC

import icalendar
import pytest

from engagements.services.lifecycle import engagement_cancel
from engagements.services.reporting import checkin_cancel, checkin_schedule, checkin_update
from notifications.emails import build_message
from notifications.models import Notification

pytestmark = pytest.mark.django_db

AT = dt.datetime(2030, 7, 1, 14, 0, tzinfo=UTC)


def invitations(kind="checkin_scheduled"):
    return list(Notification.objects.filter(kind=kind).order_by("id"))


def event_of(notification):
    [attachment] = notification.attachments
    cal = icalendar.Calendar.from_ical(attachment["content"])
    [event] = cal.walk("VEVENT")
    return attachment, cal, event


def test_the_invitation_names_organizer_and_attendee_with_the_method_in_the_mime_type(active, owner, freelancer):
    checkin_schedule(engagement=active, actor=owner, scheduled_at=AT, agenda="Demo",
                     meeting_url="https://meet.example.com/abc")

    attachment, cal, event = event_of(invitations()[0])
    assert attachment["mimetype"] == "text/calendar; method=REQUEST"
    assert cal["METHOD"] == "REQUEST"
    assert "Interview" not in str(cal["PRODID"]) and "Check-in" in str(cal["PRODID"])
    assert str(event["ORGANIZER"]) == f"mailto:{owner.email}"
    assert str(event["ATTENDEE"]) == f"mailto:{freelancer.email}"
    assert event["ATTENDEE"].params["CN"] == freelancer.name
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == AT
    # On the wire the part says text/calendar; method=REQUEST, so mail clients offer "add to calendar".
    raw = build_message(invitations()[0]).message().as_bytes()
    assert b"text/calendar; method=REQUEST" in raw.replace(b'"', b"")


def test_moving_it_sends_the_same_event_with_the_next_sequence(active, owner):
    checkin = checkin_schedule(engagement=active, actor=owner, scheduled_at=AT)
    checkin_update(checkin=checkin, actor=owner, scheduled_at=AT + dt.timedelta(days=1))

    first, second = (event_of(n)[2] for n in invitations())
    assert first["UID"] == second["UID"]
    assert (first["SEQUENCE"], second["SEQUENCE"]) == (0, 1)


def test_cancelling_sends_a_cancel_of_the_same_event(active, owner, freelancer):
    checkin = checkin_schedule(engagement=active, actor=owner, scheduled_at=AT)
    checkin_update(checkin=checkin, actor=owner, scheduled_at=AT + dt.timedelta(days=1))
    checkin_cancel(checkin=checkin, actor=owner)

    [cancel] = invitations("checkin_cancelled")
    assert cancel.recipient_email == freelancer.email
    attachment, cal, event = event_of(cancel)
    assert attachment["mimetype"] == "text/calendar; method=CANCEL"
    assert cal["METHOD"] == "CANCEL" and event["STATUS"] == "CANCELLED"
    assert event["UID"] == event_of(invitations()[0])[2]["UID"]
    assert event["SEQUENCE"] == 2
    assert str(event["ATTENDEE"]) == f"mailto:{freelancer.email}"


def test_ending_the_engagement_cancels_its_future_check_ins(active, owner):
    checkin_schedule(engagement=active, actor=owner, scheduled_at=AT)

    engagement_cancel(engagement=active, actor=owner, reason="Budget cut")

    [cancel] = invitations("checkin_cancelled")
    assert event_of(cancel)[1]["METHOD"] == "CANCEL"
