"""The iCalendar documents (built with the icalendar package): an invitation is one event with
its METHOD, the attendee and organizer; a feed gives times in the reader's zone with the
zone's definition, and text the package escapes and folds by RFC 5545."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from notifications import calendar


def test_an_invitation_is_one_event_with_method_request_and_folded_lines():
    text = calendar.invitation(
        uid="interview-1@example.com", start=datetime(2026, 7, 1, 8, 0, tzinfo=UTC),
        end=datetime(2026, 7, 1, 8, 15, tzinfo=UTC), summary="Intro, call; with \\ backslash",
        description="Line one\nLine two with ünïcödé " + "é" * 60,
        organizer=("Dana, Owner", "dana@example.com"), attendee=("Frida", "frida@example.net"),
        stamp=datetime(2026, 6, 1, tzinfo=UTC),
    )
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n"))
    assert "SUMMARY:Intro\\, call\\; with \\\\ backslash" in text
    cal = Calendar.from_ical(text)
    [event] = cal.walk("VEVENT")
    assert cal["METHOD"] == "REQUEST" and cal["VERSION"] == "2.0"
    assert str(event["SUMMARY"]) == "Intro, call; with \\ backslash"
    assert str(event["DESCRIPTION"]).endswith("é" * 60)
    assert event["ORGANIZER"].params["CN"] == "Dana, Owner"
    assert event["ATTENDEE"].params["PARTSTAT"] == "NEEDS-ACTION"
    assert event.decoded("DTSTAMP") == datetime(2026, 6, 1, tzinfo=UTC)


def test_a_cancellation_says_so_twice():
    text = calendar.invitation(uid="x@y", start=datetime(2026, 7, 1, 8, tzinfo=UTC),
                               end=datetime(2026, 7, 1, 9, tzinfo=UTC), summary="S", sequence=2, cancelled=True)
    cal = Calendar.from_ical(text)
    [event] = cal.walk("VEVENT")
    assert cal["METHOD"] == "CANCEL" and event["STATUS"] == "CANCELLED" and event.decoded("SEQUENCE") == 2


def test_a_feed_gives_times_in_the_readers_zone_with_its_definition():
    lisbon = ZoneInfo("Europe/Lisbon")
    body = calendar.feed(name="Mine", tz=lisbon, events=[
        calendar.FeedEvent(uid="checkin-1@x", start=datetime(2026, 7, 1, 9, tzinfo=UTC),
                           duration=timedelta(minutes=30), summary="Check-in"),
        calendar.FeedEvent(uid="all-day@x", start=date(2026, 7, 2), summary="Day"),
    ])
    cal = Calendar.from_ical(body)
    assert "METHOD" not in cal
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Lisbon"]
    timed, all_day = cal.walk("VEVENT")
    assert "DTSTART;TZID=Europe/Lisbon:20260701T100000" in body.decode()
    assert timed.decoded("DTSTART") == datetime(2026, 7, 1, 9, tzinfo=UTC)
    assert all_day.decoded("DTSTART") == date(2026, 7, 2)
