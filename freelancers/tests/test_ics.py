"""iCalendar text by RFC 5545: escaping, CRLF, 75-octet folding that never splits a character."""

from datetime import UTC, datetime

from freelancers import ics


def test_ics_text_follows_rfc_5545():
    text = ics.calendar(
        uid="interview-1@example.com", start=datetime(2026, 7, 1, 8, 0, tzinfo=UTC),
        end=datetime(2026, 7, 1, 8, 15, tzinfo=UTC),
        summary="Intro, call; with \\ backslash",
        description="Line one\nLine two with ünïcödé " + "é" * 60,
        organizer=("Dana, Owner", "dana@example.com"), attendee=("Frida", "frida@example.net"),
        stamp=datetime(2026, 6, 1, tzinfo=UTC),
    )
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    fields = dict(ics.unfold(text))
    assert fields["SUMMARY"] == "Intro\\, call\\; with \\\\ backslash"
    assert fields["DESCRIPTION"].startswith("Line one\\nLine two with ünïcödé éé")
    assert fields["DESCRIPTION"].endswith("é" * 5)
    assert fields['ORGANIZER;CN="Dana, Owner"'] == "mailto:dana@example.com"
    assert fields["DTSTAMP"] == "20260601T000000Z"
    assert text.startswith("BEGIN:VCALENDAR\r\nPRODID:") and "VERSION:2.0" in text
    assert text.count("BEGIN:VEVENT") == 1


def test_folding_never_splits_a_multibyte_character():
    line = "DESCRIPTION:" + "€" * 100
    folded = ics.fold(line)
    for part in folded.split("\r\n"):
        part.encode("utf-8").decode("utf-8")
        assert len(part.encode("utf-8")) <= 75
    assert folded.replace("\r\n ", "") == line
