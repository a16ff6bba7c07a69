"""Interviews: time zones (including daylight-saving changes), the .ics invitation, scorecards."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from freelancers import ics, interviews
from freelancers.errors import TransitionError
from freelancers.models import FreelancerStatus, Interview, InterviewOutcome
from freelancers.tests.conftest import send_all
from notifications.models import Notification

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def ny_owner(owner):
    owner.timezone = "America/New_York"
    owner.save()
    return owner


def schedule(client, freelancer, when, **extra):
    data = {"scheduled_at": when, "duration_minutes": 15, "kind": "intro", "meeting_url": "https://meet.example.com/abc",
            **extra}
    return client.post(reverse("freelancers:interview_add", args=[freelancer.pk]), data)


# --- Time zones ----------------------------------------------------------------------------------
def test_the_time_is_entered_in_the_owners_zone_and_stored_in_utc(owner_client, ny_owner, freelancer):
    # 23 March 2026: New York is on EDT (UTC−4) while Lisbon is still on WET (UTC+0).
    response = schedule(owner_client, freelancer, "2026-03-23T10:30")
    interview = Interview.objects.get()
    assert response.status_code == 302
    assert interview.scheduled_at == datetime(2026, 3, 23, 14, 30, tzinfo=UTC)
    assert interview.organizer_timezone == "America/New_York"
    page = owner_client.get(reverse("freelancers:interview", args=[interview.pk])).content.decode()
    assert "10:30 EDT (America/New_York)" in page
    assert "14:30 WET (Europe/Lisbon)" in page


def test_the_same_wall_clock_time_maps_differently_across_a_dst_change(ny_owner, freelancer):
    # US clocks go forward on 8 March 2026, Europe's on 29 March: for three weeks the offset
    # between New York and Lisbon is 4 hours instead of 5.
    before = interviews.local_to_utc(datetime(2026, 3, 6, 9, 0), "America/New_York")
    after = interviews.local_to_utc(datetime(2026, 3, 9, 9, 0), "America/New_York")
    assert before == datetime(2026, 3, 6, 14, 0, tzinfo=UTC)
    assert after == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
    lisbon_after_eu_change = interviews.local_to_utc(datetime(2026, 3, 30, 9, 0), "Europe/Lisbon")
    assert lisbon_after_eu_change == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)


def test_a_time_skipped_by_the_clock_change_is_a_field_error(owner_client, owner, freelancer):
    owner.timezone = "Europe/London"
    owner.save()
    # 29 March 2026, 01:30 does not exist in London (01:00 → 02:00).
    response = schedule(owner_client, freelancer, "2026-03-29T01:30")
    assert response.status_code == 200
    assert "does not exist in Europe/London" in response.context["form"].errors["scheduled_at"][0]
    assert not Interview.objects.exists()


def test_the_repeated_hour_takes_the_first_occurrence():
    # 25 October 2026, 01:30 happens twice in London; the first is still BST (UTC+1).
    assert interviews.local_to_utc(datetime(2026, 10, 25, 1, 30), "Europe/London") == \
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_a_time_in_the_past_is_a_field_error_and_nothing_is_saved(owner_client, freelancer):
    response = schedule(owner_client, freelancer, "2026-03-20T11:59")  # owner in UTC, a minute ago
    assert response.status_code == 200
    assert "in the past" in response.context["form"].errors["scheduled_at"][0]
    assert not Interview.objects.exists()
    assert not Notification.objects.exists()


def test_past_in_the_owners_zone_not_the_servers(owner_client, owner, freelancer):
    owner.timezone = "Asia/Tokyo"  # 12:00 UTC is 21:00 in Tokyo
    owner.save()
    assert schedule(owner_client, freelancer, "2026-03-20T20:00").status_code == 200  # past there
    assert schedule(owner_client, freelancer, "2026-03-20T22:00").status_code == 302
    assert Interview.objects.get().scheduled_at == datetime(2026, 3, 20, 13, 0, tzinfo=UTC)


def test_bad_length_or_link_are_field_errors(owner_client, freelancer):
    response = schedule(owner_client, freelancer, "2026-03-23T10:30", duration_minutes=0, meeting_url="not a url")
    errors = response.context["form"].errors
    assert "duration_minutes" in errors and "meeting_url" in errors
    assert not Interview.objects.exists()


def test_scheduling_moves_a_prospect_into_vetting(owner, freelancer):
    interviews.interview_schedule(freelancer=freelancer, actor=owner, scheduled_at=NOW + timedelta(days=1))
    freelancer.refresh_from_db()
    assert freelancer.status == FreelancerStatus.VETTING


# --- The invitation email and its .ics -----------------------------------------------------------
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
    fields = dict(ics.unfold(content))
    assert fields["DTSTART"] == "20260323T143000Z"
    assert fields["DTEND"] == "20260323T150000Z"
    assert fields["UID"] == f"interview-{interview.pk}@127.0.0.1"
    assert fields["METHOD"] == "REQUEST" and fields["SEQUENCE"] == "0"
    assert fields["SUMMARY"].startswith("Technical: Acme Studio × Frida Lance")
    assert fields["LOCATION"] == "https://meet.example.com/abc"
    assert fields["URL"] == "https://meet.example.com/abc"
    assert "DTSTAMP" in fields


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


def test_rescheduling_sends_the_same_event_with_a_higher_sequence(ny_owner, freelancer, locmem_mail):
    interview = interviews.interview_schedule(freelancer=freelancer, actor=ny_owner,
                                              scheduled_at=NOW + timedelta(days=2))
    interviews.interview_reschedule(interview=interview, actor=ny_owner, scheduled_at=NOW + timedelta(days=3))
    send_all()
    first, second = locmem_mail
    a, b = dict(ics.unfold(first.attachments[0][1])), dict(ics.unfold(second.attachments[0][1]))
    assert a["UID"] == b["UID"]
    assert (a["SEQUENCE"], b["SEQUENCE"]) == ("0", "1")
    assert b["DTSTART"] == "20260323T120000Z"
    assert second.subject.startswith("[Acme Studio] New time:")


def test_rescheduling_into_the_past_is_refused(owner, freelancer):
    interview = interviews.interview_schedule(freelancer=freelancer, actor=owner, scheduled_at=NOW + timedelta(days=2))
    with pytest.raises(ValidationError) as exc:
        interviews.interview_reschedule(interview=interview, actor=owner, scheduled_at=NOW - timedelta(hours=1))
    assert "scheduled_at" in exc.value.message_dict
    interview.refresh_from_db()
    assert interview.scheduled_at == NOW + timedelta(days=2) and interview.sequence == 0


def test_cancelling_sends_a_calendar_cancellation(owner_client, owner, freelancer, locmem_mail):
    interview = interviews.interview_schedule(freelancer=freelancer, actor=owner, scheduled_at=NOW + timedelta(days=2))
    owner_client.post(reverse("freelancers:interview_cancel", args=[interview.pk]))
    send_all()
    assert len(locmem_mail) == 2
    cancellation = locmem_mail[1]
    assert cancellation.subject.startswith("[Acme Studio] Cancelled: intro call on ")
    assert cancellation.attachments[0][2] == "text/calendar; method=CANCEL"
    fields = dict(ics.unfold(cancellation.attachments[0][1]))
    assert fields["METHOD"] == "CANCEL" and fields["STATUS"] == "CANCELLED" and fields["SEQUENCE"] == "1"
    with pytest.raises(TransitionError):
        interviews.interview_cancel(interview=interview, actor=owner)


# --- The scorecard -------------------------------------------------------------------------------
@pytest.fixture
def interview(owner, freelancer):
    return interviews.interview_schedule(freelancer=freelancer, actor=owner, scheduled_at=NOW + timedelta(hours=1))


def score_data(**extra):
    data = {f"score_{i}": str(v) for i, v in enumerate([4, 5, 3, 4, 5])}
    data.update({"red_flags": ["timeline", "who_does_work"], "notes": "Dodged the deadline question.",
                 "outcome": "hold"})
    data.update(extra)
    return data


def test_the_owner_scores_the_default_criteria_with_red_flags(owner_client, interview):
    page = owner_client.get(reverse("freelancers:interview", args=[interview.pk])).content.decode()
    for criterion in ("Communication", "Relevant skill", "Understanding of the brief",
                      "Timeline / availability fit", "Professionalism"):
        assert criterion in page
    assert "Who will do the work" in page  # a suggested question
    assert 'type="radio" class="btn-check" name="score_0" id="id_score_0_5" value="5"' in page
    response = owner_client.post(reverse("freelancers:interview", args=[interview.pk]), score_data())
    assert response.status_code == 302
    interview.refresh_from_db()
    assert [(s.criterion, s.score) for s in interview.scores.all()] == [
        ("Communication", 4), ("Relevant skill", 5), ("Understanding of the brief", 3),
        ("Timeline / availability fit", 4), ("Professionalism", 5)]
    assert interview.red_flags == ["timeline", "who_does_work"]
    assert interview.outcome == InterviewOutcome.HOLD and interview.scored_at


def test_a_call_still_ahead_says_when_to_fill_the_scorecard(owner_client, owner, interview):
    url = reverse("freelancers:interview", args=[interview.pk])
    assert "The call is still ahead" in owner_client.get(url).content.decode()
    interviews.interview_score(interview=interview, actor=owner, scores={"Communication": 4})
    assert "The call is still ahead" not in owner_client.get(url).content.decode()


@pytest.mark.parametrize("bad", ["0", "6", "-1", "3.5", "x"])
def test_a_score_outside_1_to_5_is_a_field_error_and_nothing_is_saved(owner_client, interview, bad):
    response = owner_client.post(reverse("freelancers:interview", args=[interview.pk]),
                                 score_data(score_1=bad))
    assert response.status_code == 200
    assert "Choose a score from 1 to 5." in response.context["form"].errors["score_1"]
    interview.refresh_from_db()
    assert not interview.scores.exists() and interview.scored_at is None


def test_the_service_refuses_bad_scores_flags_and_criteria(owner, interview):
    with pytest.raises(ValidationError) as exc:
        interviews.interview_score(interview=interview, actor=owner,
                                   scores={"Communication": 7, "Charisma": 3}, red_flags=["lazy"])
    assert set(exc.value.message_dict) == {"scores", "red_flags"}
    assert not interview.scores.exists()


def test_a_workspace_can_edit_its_criteria_and_old_scorecards_keep_theirs(owner_client, owner, interview):
    interviews.interview_score(interview=interview, actor=owner, scores={"Communication": 4})
    response = owner_client.post(reverse("freelancers:criteria"),
                                 {"criteria": "Craft\nCommunication\n\nPace of delivery"})
    assert response.status_code == 302
    page = owner_client.get(reverse("freelancers:interview", args=[interview.pk])).content.decode()
    assert "Craft" in page and "Pace of delivery" in page
    assert list(interview.scores.values_list("criterion", "score")) == [("Communication", 4)]


def test_criteria_lists_reject_duplicates_and_empties(owner_client):
    response = owner_client.post(reverse("freelancers:criteria"), {"criteria": "Craft\ncraft"})
    assert "listed twice" in response.content.decode()
    response = owner_client.post(reverse("freelancers:criteria"), {"criteria": "  \n "})
    assert response.status_code == 200 and response.context["form"].errors


def test_a_scorecard_needs_at_least_one_score(owner_client, interview):
    response = owner_client.post(reverse("freelancers:interview", args=[interview.pk]),
                                 {"notes": "forgot", "outcome": "hold"})
    assert "Score at least one criterion." in response.content.decode()
    interview.refresh_from_db()
    assert interview.scored_at is None
