"""The owners' daily digest: 08:00 in the workspace's time zone, only when there is something,
once a day, with the emails people chose to get "digest only"."""

import datetime as dt
from datetime import UTC

import pytest
import time_machine

from accounts.models import Workspace
from engagements.models import Engagement, Milestone
from engagements.reminders.digest import owner_digests
from engagements.services.reporting import checkin_schedule
from engagements.tests.conftest import activate
from freelancers.models import Reference, ReferenceStatus
from notifications import preferences
from notifications.models import Notification, NotificationStatus, PreferenceMode
from notifications.services import notification_send, notify

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 23, 9, 0, tzinfo=UTC)  # Monday; Paris is UTC+1 until Sunday 29 March


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


def run(moment):
    with time_machine.travel(moment, tick=False):
        return owner_digests()


def digests():
    return list(Notification.objects.filter(kind="owner_digest").order_by("pk"))


@pytest.fixture
def paris(workspace):
    workspace.timezone = "Europe/Paris"
    workspace.save()
    return workspace


@pytest.fixture
def running(paris, engagement, owner):
    with time_machine.travel(START, tick=False):
        engagement = activate(engagement, owner)
    Notification.objects.all().delete()
    return engagement


def test_nothing_to_say_means_no_digest(paris, owner):
    assert run(utc(2026, 3, 24, 7, 0)) == {"digests": 0}  # 08:00 in Paris
    assert digests() == []
    paris.refresh_from_db()
    assert paris.next_digest_at == utc(2026, 3, 25, 7, 0)


def test_the_digest_comes_at_0800_local_once_a_day_with_what_needs_the_owner(running, owner, freelancer):
    running.refresh_from_db()
    # Status update due Friday 27th at noon (end of Thursday in Lisbon + 12 h) → overdue by Saturday's digest.
    reference = Reference.objects.create(freelancer=freelancer, name="Rita Referee", email="rita@example.com",
                                         relationship="Former client", status=ReferenceStatus.RECEIVED,
                                         answered_at=utc(2026, 3, 27, 15, 0), quality=5, reliability=4,
                                         communication=5, deadlines=4, would_rehire=True)
    with time_machine.travel(START + dt.timedelta(hours=1), tick=False):
        checkin_schedule(engagement=running, actor=owner, scheduled_at=utc(2026, 3, 28, 14, 0),
                         agenda="Payment step\nand the rest")
    Notification.objects.all().delete()
    Workspace.objects.filter(pk=running.workspace_id).update(next_digest_at=utc(2026, 3, 28, 7, 0))

    assert run(utc(2026, 3, 28, 6, 59)) == {"digests": 0}
    assert run(utc(2026, 3, 28, 7, 0)) == {"digests": 1}  # Saturday 08:00 in Paris
    assert run(utc(2026, 3, 28, 7, 1)) == {"digests": 0}
    [mail] = digests()
    assert mail.recipient_email == "owner@example.com"
    assert mail.dedupe_key == f"digest:{running.workspace_id}:2026-03-28:u{owner.pk}"
    sections = {s["title"]: [i["text"] for i in s["items"]] for s in mail.context["sections"]}
    assert list(sections) == ["Status updates overdue", "Check-ins today", "References received"]
    assert sections["Check-ins today"] == ["15:00 with Frida Lance (Checkout redesign): Payment step"]
    assert sections["References received"] == [f"Rita Referee on {freelancer.name} (average 4.5/5)"]
    assert "Frida Lance on Checkout redesign" in sections["Status updates overdue"][0]
    assert mail.context["count"] == 3
    assert reference.pk


def test_the_next_digest_is_0800_local_across_the_spring_forward(paris, running):
    Workspace.objects.filter(pk=paris.pk).update(next_digest_at=utc(2026, 3, 28, 7, 0))  # Saturday 08:00 CET
    run(utc(2026, 3, 28, 7, 0))
    paris.refresh_from_db()
    assert paris.next_digest_at == utc(2026, 3, 29, 6, 0)  # Sunday 08:00 CEST


def test_gone_quiet_reviews_closing_and_milestones_due_are_listed(running, owner):
    Engagement.objects.filter(pk=running.pk).update(gone_quiet_at=utc(2026, 3, 28, 9, 0),
                                                    last_activity_at=utc(2026, 3, 23, 9, 0))
    m = running.milestones.get()
    Milestone.objects.filter(pk=m.pk).update(state="submitted", review_deadline_at=utc(2026, 3, 31, 9, 0))
    Milestone.objects.create(engagement=running, title="Checkout API", acceptance_criteria="x", amount=100,
                             state="funded", due_on=dt.date(2026, 3, 30), due_at=utc(2026, 3, 30, 22, 59, 59))
    Workspace.objects.filter(pk=running.workspace_id).update(next_digest_at=utc(2026, 3, 30, 6, 0))
    run(utc(2026, 3, 30, 6, 0))
    [mail] = digests()
    titles = [s["title"] for s in mail.context["sections"]]
    assert "Gone quiet" in titles and "Reviews closing" in titles and "Milestones due" in titles


def test_digest_only_emails_arrive_in_the_digest_and_not_twice(paris, owner, mailoutbox):
    preferences.preference_set(workspace=paris, email=owner.email, category="activity", mode=PreferenceMode.DIGEST)
    held, _ = notify(kind="brief_question", recipient_email=owner.email, workspace=paris, dedupe_key="q:1",
                     context={"engagement_title": "Logo", "freelancer_name": "Ana", "question": "Which font?",
                              "version": 1, "url": "https://example.com/brief/"})
    assert notification_send(notification_id=held.pk) == "held"
    Workspace.objects.filter(pk=paris.pk).update(next_digest_at=utc(2026, 3, 24, 7, 0))
    assert run(utc(2026, 3, 24, 7, 0)) == {"digests": 1}
    [mail] = digests()
    assert [h["subject"] for h in mail.context["held"]] == ["Ana asked about the brief for Logo"]
    held.refresh_from_db()
    assert held.status == NotificationStatus.DIGESTED
    mailoutbox.clear()
    assert notification_send(notification_id=mail.pk) == "sent"
    assert "Ana asked about the brief for Logo" in mailoutbox[0].body
    Workspace.objects.filter(pk=paris.pk).update(next_digest_at=utc(2026, 3, 25, 7, 0))
    assert run(utc(2026, 3, 25, 7, 0)) == {"digests": 0}  # nothing new the next day


def test_an_owner_who_turned_the_digest_off_gets_none(running, owner):
    preferences.preference_set(workspace=running.workspace, email=owner.email, category="digest",
                               mode=PreferenceMode.OFF)
    Workspace.objects.filter(pk=running.workspace_id).update(next_digest_at=utc(2026, 3, 27, 7, 0))
    assert run(utc(2026, 3, 27, 7, 0)) == {"digests": 0}


def test_a_long_section_lists_the_most_urgent_and_counts_the_rest(running, owner, mailoutbox):
    from engagements.reminders.digest import SECTION_ITEMS

    late = [Engagement(workspace_id=running.workspace_id, freelancer_id=running.freelancer_id, title=f"Late {i}",
                       status="active", created_by=owner, next_update_due_at=utc(2026, 3, 20, 0, i))
            for i in range(SECTION_ITEMS + 5)]
    Engagement.objects.bulk_create(late)
    Engagement.objects.filter(pk=running.pk).update(next_update_due_at=utc(2026, 3, 29, 12, 0))
    Workspace.objects.filter(pk=running.workspace_id).update(next_digest_at=utc(2026, 3, 28, 7, 0))

    assert run(utc(2026, 3, 28, 7, 0)) == {"digests": 1}

    [mail] = digests()
    [section] = mail.context["sections"]
    assert section["title"] == "Status updates overdue" and section["total"] == SECTION_ITEMS + 5
    assert len(section["items"]) == SECTION_ITEMS and section["more"] == 5
    assert "Late 0" in section["items"][0]["text"]  # the most overdue first
    assert mail.context["count"] == SECTION_ITEMS + 5
    assert notification_send(notification_id=mail.pk) == "sent"
    assert "and 5 more" in mailoutbox[-1].body
    assert "(25)" in mailoutbox[-1].alternatives[0][0]
