"""The private calendar feed: made from the profile page, it parses with icalendar and holds
the milestone due dates, check-ins, interviews and review-window ends, each with a stable UID
and times in the reader's zone; a rotated or revoked URL answers 404; a freelancer's feed
holds only their own engagements."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from accounts.models import CalendarFeed, Membership
from engagements.models import Milestone, MilestoneState
from engagements.services.lifecycle import engagement_create
from engagements.services.milestone import milestone_create
from engagements.services.reporting import checkin_schedule
from engagements.services.transitions import milestone_transition
from freelancers.services.interview import interview_schedule

pytestmark = pytest.mark.django_db

SOON = timezone.now() + dt.timedelta(days=5)


@pytest.fixture
def dated(active, owner, freelancer, other_freelancer):
    milestone, _ = milestone_create(engagement=active, actor=owner, title="Payment page", amount=10000,
                                    acceptance_criteria="Apple Pay works.", due_on=SOON.date())
    submitted = Milestone.objects.filter(engagement=active).exclude(pk=milestone.pk).get()
    milestone_transition(milestone_id=submitted.pk, to_state=MilestoneState.FUNDED)
    milestone_transition(milestone_id=submitted.pk, to_state=MilestoneState.SUBMITTED,
                         review_deadline_at=SOON + dt.timedelta(days=1))
    checkin_schedule(engagement=active, actor=owner, scheduled_at=SOON.replace(microsecond=0), agenda="Demo")
    interview_schedule(freelancer=other_freelancer, actor=owner, scheduled_at=SOON + dt.timedelta(days=2))
    return active


def feed_url_of(client, profile, action):
    client.post(action, {"action": "create"})
    return client.get(profile).context["calendar_url"]


def fetch(client, url):
    return client.get(url.removeprefix("http://testserver"))


def events_of(response):
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content).walk("VEVENT")


def test_the_owners_feed_holds_every_kind_with_uid_stamp_and_zoned_start(client, owner_client, owner, dated):
    owner.timezone = "America/New_York"
    owner.save(update_fields=["timezone"])
    url = feed_url_of(owner_client, reverse("accounts:profile"), reverse("accounts:calendar_feed"))
    client.logout()  # a calendar app has no session: the token is the key
    response = fetch(client, url)
    events = events_of(response)
    summaries = sorted(str(e["SUMMARY"]).split(":")[0] for e in events)
    assert summaries == ["Check-in", "Due", "Intro call", "Review window ends"]
    for event in events:
        assert event["UID"] and event["DTSTAMP"]
        assert event.decoded("DTSTART").tzinfo is not None
        assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert Calendar.from_ical(response.content).walk("VTIMEZONE")[0]["TZID"] == "America/New_York"
    # The same rows give the same UIDs on the next fetch: calendars update, not duplicate.
    assert {e["UID"] for e in events_of(fetch(client, url))} == {e["UID"] for e in events}


def test_a_rotated_url_answers_404_and_the_new_one_works(owner_client, dated):
    url = feed_url_of(owner_client, reverse("accounts:profile"), reverse("accounts:calendar_feed"))
    owner_client.post(reverse("accounts:calendar_feed"), {"action": "rotate"})
    new_url = owner_client.get(reverse("accounts:profile")).context["calendar_url"]
    assert new_url != url
    assert fetch(owner_client, url).status_code == 404
    assert fetch(owner_client, new_url).status_code == 200


def test_a_revoked_url_answers_404(owner_client, dated):
    url = feed_url_of(owner_client, reverse("accounts:profile"), reverse("accounts:calendar_feed"))
    response = owner_client.post(reverse("accounts:calendar_feed"), {"action": "revoke"}, follow=True)
    assert "Calendar link turned off" in response.content.decode()
    assert response.context["calendar_url"] is None
    assert fetch(owner_client, url).status_code == 404


def test_only_the_tokens_hash_is_stored(owner_client, dated):
    url = feed_url_of(owner_client, reverse("accounts:profile"), reverse("accounts:calendar_feed"))
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    feed = CalendarFeed.objects.get()
    assert token not in (feed.salt, feed.token_hash) and len(token) >= 32


def test_someone_who_left_the_workspace_loses_the_feed(client, manager, workspace, dated):
    client.force_login(manager)
    url = feed_url_of(client, reverse("accounts:profile"), reverse("accounts:calendar_feed"))
    assert fetch(client, url).status_code == 200
    Membership.objects.filter(user=manager, workspace=workspace).delete()
    assert fetch(client, url).status_code == 404


def test_a_freelancers_feed_holds_only_their_engagements(client, dated, freelancer_user, owner, workspace,
                                                       other_freelancer):
    theirs = engagement_create(workspace=workspace, created_by=owner, freelancer=other_freelancer,
                               title="Someone else's", budget=1000, currency="USD")
    milestone_create(engagement=theirs, actor=owner, title="Not yours", acceptance_criteria="-", amount=100,
                     due_on=SOON.date())
    client.force_login(freelancer_user)
    url = feed_url_of(client, reverse("portal:profile"), reverse("portal:calendar_feed"))
    events = events_of(fetch(client, url))
    summaries = sorted(str(e["SUMMARY"]) for e in events)
    assert summaries == ["Check-in: Checkout redesign", "Due: Payment page (Checkout redesign)",
                         "Review window ends: Part 1 (Checkout redesign)"]
    assert all(e["DTSTART"].params["TZID"] == "Europe/Lisbon" for e in events)
    assert all(e.decoded("DTSTART").tzinfo is not None for e in events)
    assert str(events[0]["URL"]).startswith("http")


def test_an_unknown_token_is_a_404(client, db):
    assert client.get(reverse("engagements:calendar_feed", args=["nope"])).status_code == 404


def test_the_feed_costs_the_same_queries_for_many_rows(client, owner_client, owner, dated,
                                                       django_assert_max_num_queries):
    url = feed_url_of(owner_client, reverse("accounts:profile"), reverse("accounts:calendar_feed"))
    with django_assert_max_num_queries(10) as few:
        fetch(client, url)
    for i in range(20):
        milestone_create(engagement=dated, actor=owner, title=f"More {i}", acceptance_criteria="-", amount=100,
                         due_on=SOON.date(), confirm_over_budget=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(events_of(fetch(client, url))) == 24
