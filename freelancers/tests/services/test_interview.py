"""Interview actions: wall-clock times across daylight-saving changes, the invitation email with
its .ics, rescheduling as the same calendar event, and the scorecard's own checks."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from icalendar import Calendar

from freelancers.models import FreelancerStatus
from freelancers.services import interview as interviews
from freelancers.tests.conftest import send_all

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_same_wall_clock_time_maps_differently_across_a_dst_change(ny_owner, freelancer):
    # US clocks go forward on 8 March 2026, Europe's on 29 March: for three weeks the offset
    # between New York and Lisbon is 4 hours instead of 5.
    before = interviews.local_to_utc(datetime(2026, 3, 6, 9, 0), "America/New_York")
    after = interviews.local_to_utc(datetime(2026, 3, 9, 9, 0), "America/New_York")
    assert before == datetime(2026, 3, 6, 14, 0, tzinfo=UTC)
    assert after == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
    lisbon_after_eu_change = interviews.local_to_utc(datetime(2026, 3, 30, 9, 0), "Europe/Lisbon")
    assert lisbon_after_eu_change == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)


def test_the_repeated_hour_takes_the_first_occurrence():
    # 25 October 2026, 01:30 happens twice in London; the first is still BST (UTC+1).
    assert interviews.local_to_utc(datetime(2026, 10, 25, 1, 30), "Europe/London") == \
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_scheduling_moves_a_prospect_into_vetting(owner, freelancer):
    interviews.interview_schedule(freelancer=freelancer, actor=owner, scheduled_at=NOW + timedelta(days=1))
    freelancer.refresh_from_db()
    assert freelancer.status == FreelancerStatus.VETTING


def test_the_freelancer_gets_an_email_with_an_ics_invitation(ny_owner, freelancer, locmem_mail):
    interview = interviews.interview_schedule(
        freelancer=freelancer, actor=ny_owner, scheduled_at=datetime(2026, 3, 23, 14, 30, tzinfo=UTC),
        duration_minutes=30, kind="technical", meeting_url="https://meet.example.com/abc",
    )
    send_all()
    [message] = locmem_mail
    assert message.to == ["frida@example.net"]
    # The subject names the workspace once (its prefix), then what and when in the freelancer's zone.
    assert message.subject == "[Acme Studio] Technical on Monday 23 March 2026, 14:30 (Europe/Lisbon)"
    assert "Acme Studio would like a technical interview with you" in message.body
    assert "10:30 (America/New_York)" in message.body
    # Replies reach no one (a no-reply sender), so the email says whom to write to.
    assert f"write to {ny_owner.get_full_name()} at {ny_owner.email}" in message.body
    [(filename, content, mimetype)] = message.attachments
    # method=REQUEST is what makes mail clients offer to add it to the calendar.
    assert (filename, mimetype) == ("interview.ics", "text/calendar; method=REQUEST")
    cal = Calendar.from_ical(content)
    [event] = cal.walk("VEVENT")
    assert event.decoded("DTSTART") == datetime(2026, 3, 23, 14, 30, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2026, 3, 23, 15, 0, tzinfo=UTC)
    assert "DTSTART:20260323T143000Z" in content  # UTC, with the trailing Z
    assert str(event["UID"]) == f"interview-{interview.pk}@127.0.0.1"
    assert str(cal["METHOD"]) == "REQUEST" and event.decoded("SEQUENCE") == 0
    assert str(event["SUMMARY"]).startswith("Technical: Acme Studio × Frida Lance")
    assert str(event["LOCATION"]) == "https://meet.example.com/abc"
    assert str(event["URL"]) == "https://meet.example.com/abc"
    assert str(event["ATTENDEE"]) == "mailto:frida@example.net"
    assert str(event["ORGANIZER"]) == f"mailto:{ny_owner.email}"
    assert "DTSTAMP" in event


def test_rescheduling_sends_the_same_event_with_a_higher_sequence(ny_owner, freelancer, locmem_mail):
    interview = interviews.interview_schedule(freelancer=freelancer, actor=ny_owner,
                                              scheduled_at=NOW + timedelta(days=2))
    interviews.interview_reschedule(interview=interview, actor=ny_owner, scheduled_at=NOW + timedelta(days=3))
    send_all()
    first, second = locmem_mail
    [a] = Calendar.from_ical(first.attachments[0][1]).walk("VEVENT")
    [b] = Calendar.from_ical(second.attachments[0][1]).walk("VEVENT")
    assert a["UID"] == b["UID"]
    assert (a.decoded("SEQUENCE"), b.decoded("SEQUENCE")) == (0, 1)
    assert b.decoded("DTSTART") == datetime(2026, 3, 23, 12, 0, tzinfo=UTC)
    assert second.subject.startswith("[Acme Studio] New time:")


def test_rescheduling_into_the_past_is_refused(owner, freelancer):
    interview = interviews.interview_schedule(freelancer=freelancer, actor=owner, scheduled_at=NOW + timedelta(days=2))
    with pytest.raises(ValidationError) as exc:
        interviews.interview_reschedule(interview=interview, actor=owner, scheduled_at=NOW - timedelta(hours=1))
    assert "scheduled_at" in exc.value.message_dict
    interview.refresh_from_db()
    assert interview.scheduled_at == NOW + timedelta(days=2) and interview.sequence == 0


@pytest.fixture
def interview(owner, freelancer):
    return interviews.interview_schedule(freelancer=freelancer, actor=owner, scheduled_at=NOW + timedelta(hours=1))


def test_the_service_refuses_bad_scores_flags_and_criteria(owner, interview):
    with pytest.raises(ValidationError) as exc:
        interviews.interview_score(interview=interview, actor=owner,
                                   scores={"Communication": 7, "Charisma": 3}, red_flags=["lazy"])
    assert set(exc.value.message_dict) == {"scores", "red_flags"}
    assert not interview.scores.exists()
