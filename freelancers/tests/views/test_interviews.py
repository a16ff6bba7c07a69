"""The interview pages: the time typed in the owner's zone, field errors that save nothing,
cancelling, the scorecard form and the workspace's criteria."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from freelancers.errors import TransitionError
from freelancers.models import Interview, InterviewOutcome
from freelancers.services import interview as interviews
from freelancers.tests.conftest import send_all
from notifications.models import Notification

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def schedule(client, freelancer, when, **extra):
    data = {"scheduled_at": when, "duration_minutes": 15, "kind": "intro", "meeting_url": "https://meet.example.com/abc",
            **extra}
    return client.post(reverse("freelancers:interview_add", args=[freelancer.pk]), data)


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


def test_a_time_skipped_by_the_clock_change_is_a_field_error(owner_client, owner, freelancer):
    owner.timezone = "Europe/London"
    owner.save()
    # 29 March 2026, 01:30 does not exist in London (01:00 → 02:00).
    response = schedule(owner_client, freelancer, "2026-03-29T01:30")
    assert response.status_code == 200
    assert "does not exist in Europe/London" in response.context["form"].errors["scheduled_at"][0]
    assert not Interview.objects.exists()


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


def test_cancelling_sends_a_calendar_cancellation(owner_client, owner, freelancer, locmem_mail):
    interview = interviews.interview_schedule(freelancer=freelancer, actor=owner, scheduled_at=NOW + timedelta(days=2))
    owner_client.post(reverse("freelancers:interview_cancel", args=[interview.pk]))
    send_all()
    assert len(locmem_mail) == 2
    cancellation = locmem_mail[1]
    assert cancellation.subject.startswith("[Acme Studio] Cancelled: intro call on ")
    assert cancellation.attachments[0][2] == "text/calendar; method=CANCEL"
    cal = Calendar.from_ical(cancellation.attachments[0][1])
    [event] = cal.walk("VEVENT")
    assert cal["METHOD"] == "CANCEL" and event["STATUS"] == "CANCELLED" and event.decoded("SEQUENCE") == 1
    with pytest.raises(TransitionError):
        interviews.interview_cancel(interview=interview, actor=owner)


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
