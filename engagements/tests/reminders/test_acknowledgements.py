"""Briefs and playbook documents waiting for acknowledgement: the freelancer is nudged after two
days, the owner told after four; only the current version is chased."""

import datetime as dt
from datetime import UTC

import pytest
import time_machine

from engagements.models import Milestone
from engagements.reminders.acknowledgements import acknowledgement_nudges
from engagements.services.brief import brief_save
from engagements.services.lifecycle import engagement_offer
from engagements.services.milestone import milestone_create
from engagements.services.playbook import playbook_acknowledge, playbook_attach, playbook_document_create
from engagements.tests.conftest import BRIEF, activate
from notifications.models import Notification

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 1, 12, 10, 0, tzinfo=UTC)  # Monday; Lisbon = UTC in winter


def at(moment, fn, **kw):
    with time_machine.travel(moment, tick=False):
        return fn(**kw)


def rows(kind):
    return list(Notification.objects.filter(kind=kind).order_by("pk"))


@pytest.fixture
def running(engagement, owner):
    with time_machine.travel(START, tick=False):
        engagement = activate(engagement, owner)
    Notification.objects.all().delete()
    return engagement


def test_an_unacknowledged_brief_nudges_the_freelancer_after_two_days_and_the_owner_after_four(engagement, owner):
    with time_machine.travel(START, tick=False):
        brief_save(engagement=engagement, actor=owner, **BRIEF)
        milestone_create(engagement=engagement, actor=owner, title="Part 1", acceptance_criteria="x", amount=500)

        engagement_offer(engagement=engagement, actor=owner)
    Notification.objects.all().delete()
    nudge = acknowledgement_nudges
    assert at(START + dt.timedelta(days=2) - dt.timedelta(minutes=1), nudge) == {"briefs": 0, "playbook": 0}
    assert at(START + dt.timedelta(days=2), nudge)["briefs"] == 1
    assert [n.recipient_email for n in rows("ack_reminder")] == ["frida@example.net"]
    assert at(START + dt.timedelta(days=3), nudge)["briefs"] == 0
    assert at(START + dt.timedelta(days=4), nudge)["briefs"] == 1
    assert [n.recipient_email for n in rows("ack_waiting")] == ["owner@example.com"]
    assert at(START + dt.timedelta(days=9), nudge)["briefs"] == 0
    assert Notification.objects.count() == 2


def test_an_acknowledged_brief_is_left_alone(engagement, owner):
    with time_machine.travel(START, tick=False):
        engagement = activate(engagement, owner)
    Notification.objects.all().delete()
    assert at(START + dt.timedelta(days=5), acknowledgement_nudges) == {"briefs": 0, "playbook": 0}
    assert Notification.objects.count() == 0


def test_a_playbook_document_waiting_for_acknowledgement_is_nudged_until_read(running, owner, workspace):
    with time_machine.travel(START + dt.timedelta(hours=1), tick=False):
        document = playbook_document_create(workspace=workspace, actor=owner, title="How we work",
                                            kind="how_we_work", body="Reply within a day.")
        playbook_attach(engagement=running, document=document, actor=owner)
    Notification.objects.all().delete()
    nudge = acknowledgement_nudges
    assert at(START + dt.timedelta(days=2, hours=1), nudge)["playbook"] == 1
    [reminder] = rows("ack_reminder")
    assert reminder.context["document_title"] == "“How we work” v1"
    with time_machine.travel(START + dt.timedelta(days=3), tick=False):
        playbook_acknowledge(version_id=document.versions.get().pk, freelancer=running.freelancer)
    assert at(START + dt.timedelta(days=4, hours=1), nudge)["playbook"] == 0
    assert rows("ack_waiting") == []


def test_only_the_current_brief_version_is_chased(engagement, owner):
    with time_machine.travel(START, tick=False):
        engagement = activate(engagement, owner)
        brief_save(engagement=engagement, actor=owner, change_summary="Scope", **{**BRIEF, "goal": "v2"})
    with time_machine.travel(START + dt.timedelta(hours=5), tick=False):
        brief_save(engagement=engagement, actor=owner, change_summary="Again", **{**BRIEF, "goal": "v3"})
    Notification.objects.all().delete()
    at(START + dt.timedelta(days=2, hours=6), acknowledgement_nudges)
    assert [n.context["document_title"] for n in rows("ack_reminder")] == ["Brief v3"]
    assert Milestone.objects.filter(engagement=engagement).count() == 1
