"""Milestone due-date reminders, the "request a new date" flow, and briefs or playbook
documents waiting for acknowledgement."""

import datetime as dt
from datetime import UTC

import pytest
import time_machine
from django.core.exceptions import ValidationError

from engagements import reminders_work
from engagements.models import DateChangeStatus, Milestone, PayTerms
from engagements.services.brief import brief_save
from engagements.services.due_date import milestone_date_decide, milestone_date_request
from engagements.services.lifecycle import engagement_offer
from engagements.services.milestone import milestone_create, milestone_submit, milestone_update
from engagements.services.playbook import playbook_acknowledge, playbook_attach, playbook_document_create
from engagements.services.transitions import ConflictError
from engagements.tests.conftest import BRIEF, activate, fund
from notifications.models import Notification

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 1, 12, 10, 0, tzinfo=UTC)  # Monday; Lisbon = UTC in winter
DUE_ON = dt.date(2026, 1, 21)  # a Wednesday


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


@pytest.fixture
def milestone(running, owner):
    m = running.milestones.get()
    with time_machine.travel(START, tick=False):
        milestone_update(milestone=m, actor=owner, title=m.title, acceptance_criteria="A working checkout.",
                         amount=m.amount, due_on=DUE_ON)
    fund(m)
    m.refresh_from_db()
    return m


# --- Milestones ------------------------------------------------------------------------------------
def test_the_freelancer_hears_two_days_before_and_both_sides_the_morning_after_the_date(milestone, running):
    soon = dt.datetime(2026, 1, 19, 9, 0, tzinfo=UTC)  # Monday 09:00 Lisbon
    overdue = dt.datetime(2026, 1, 22, 9, 0, tzinfo=UTC)  # Thursday 09:00 Lisbon
    assert milestone.due_reminder_at == soon

    assert at(soon - dt.timedelta(minutes=1), reminders_work.milestone_reminders) == {"due_soon": 0, "overdue": 0}
    assert at(soon, reminders_work.milestone_reminders) == {"due_soon": 1, "overdue": 0}
    assert at(soon + dt.timedelta(hours=5), reminders_work.milestone_reminders) == {"due_soon": 0, "overdue": 0}
    [reminder] = rows("milestone_due_soon")
    assert reminder.recipient_email == "frida@example.net"
    assert reminder.context["due_on"] == "Wednesday 21 January 2026"

    assert at(overdue - dt.timedelta(minutes=1), reminders_work.milestone_reminders)["overdue"] == 0
    assert at(overdue, reminders_work.milestone_reminders) == {"due_soon": 0, "overdue": 1}
    assert at(overdue + dt.timedelta(days=3), reminders_work.milestone_reminders)["overdue"] == 0
    assert [n.recipient_email for n in rows("milestone_overdue")] == ["frida@example.net"]
    assert [n.recipient_email for n in rows("milestone_overdue_owner")] == ["owner@example.com"]
    assert Notification.objects.count() == 3


def test_submitted_work_is_not_chased(milestone, running):
    with time_machine.travel(dt.datetime(2026, 1, 20, 12, 0, tzinfo=UTC), tick=False):
        milestone_submit(milestone_id=milestone.pk, freelancer=running.freelancer, message="Done",
                         attest_own_work=True)
    assert at(dt.datetime(2026, 1, 23, 9, 0, tzinfo=UTC), reminders_work.milestone_reminders) == {
        "due_soon": 0, "overdue": 0}


def test_an_unfunded_fixed_price_milestone_waits_rather_than_nags(running, owner):
    with time_machine.travel(START, tick=False):
        m, _ = milestone_create(engagement=running, actor=owner, title="Extra", acceptance_criteria="x",
                                amount=1000, due_on=DUE_ON)
    assert running.pay_terms == PayTerms.FIXED
    assert at(dt.datetime(2026, 1, 19, 9, 0, tzinfo=UTC), reminders_work.milestone_reminders)["due_soon"] == 0
    m.refresh_from_db()
    assert m.due_reminder_at == dt.datetime(2026, 1, 20, 9, 0, tzinfo=UTC)  # looked at again a day later
    fund(m)
    assert at(dt.datetime(2026, 1, 20, 9, 0, tzinfo=UTC), reminders_work.milestone_reminders)["due_soon"] == 1


# --- A new date --------------------------------------------------------------------------------------
def test_the_freelancer_asks_for_a_new_date_and_the_owner_accepts_it(milestone, running, owner):
    with time_machine.travel(dt.datetime(2026, 1, 19, 10, 0, tzinfo=UTC), tick=False):
        change = milestone_date_request(milestone_id=milestone.pk, freelancer=running.freelancer,
                                        proposed_on=dt.date(2026, 1, 28), reason="The API docs arrived late.")
        with pytest.raises(ConflictError):
            milestone_date_request(milestone_id=milestone.pk, freelancer=running.freelancer,
                                   proposed_on=dt.date(2026, 1, 29), reason="Again")
    [asked] = rows("milestone_date_requested")
    assert asked.context["proposed_on"] == "Wednesday 28 January 2026"
    assert asked.recipient_email == "owner@example.com"

    with time_machine.travel(dt.datetime(2026, 1, 19, 12, 0, tzinfo=UTC), tick=False):
        milestone_date_decide(change=change, actor=owner, accept=True, response="Fine.")
    milestone.refresh_from_db()
    assert milestone.due_on == dt.date(2026, 1, 28)
    # Its reminders restart for the new date: two days before it, not the old one.
    assert milestone.due_reminder_at == dt.datetime(2026, 1, 26, 9, 0, tzinfo=UTC)
    assert [n.context["accepted"] for n in rows("milestone_date_decided")] == [True]
    assert at(dt.datetime(2026, 1, 22, 9, 0, tzinfo=UTC), reminders_work.milestone_reminders)["overdue"] == 0
    with pytest.raises(ConflictError):
        milestone_date_decide(change=change, actor=owner, accept=False, response="No")
    # The history stays on the milestone.
    change.refresh_from_db()
    assert (change.status, change.previous_on, change.proposed_on) == (
        DateChangeStatus.ACCEPTED, DUE_ON, dt.date(2026, 1, 28))


def test_a_declined_request_keeps_the_date_and_needs_a_reason(milestone, running, owner):
    with time_machine.travel(dt.datetime(2026, 1, 19, 10, 0, tzinfo=UTC), tick=False):
        change = milestone_date_request(milestone_id=milestone.pk, freelancer=running.freelancer,
                                        proposed_on=dt.date(2026, 2, 10), reason="Holiday")
        with pytest.raises(ValidationError):
            milestone_date_decide(change=change, actor=owner, accept=False, response="")
        milestone_date_decide(change=change, actor=owner, accept=False, response="The launch is fixed.")
    milestone.refresh_from_db()
    assert milestone.due_on == DUE_ON
    [told] = rows("milestone_date_decided")
    assert told.context["accepted"] is False and told.context["response"] == "The launch is fixed."


def test_a_new_date_request_is_validated(milestone, running, other_freelancer):
    from engagements.services.transitions import NotAllowed

    with time_machine.travel(dt.datetime(2026, 1, 19, 10, 0, tzinfo=UTC), tick=False):
        with pytest.raises(ValidationError) as past:
            milestone_date_request(milestone_id=milestone.pk, freelancer=running.freelancer,
                                   proposed_on=dt.date(2026, 1, 1), reason="x")
        assert "past" in str(past.value)
        with pytest.raises(ValidationError):
            milestone_date_request(milestone_id=milestone.pk, freelancer=running.freelancer,
                                   proposed_on=dt.date(2026, 2, 1), reason="  ")
        with pytest.raises(NotAllowed):
            milestone_date_request(milestone_id=milestone.pk, freelancer=other_freelancer,
                                   proposed_on=dt.date(2026, 2, 1), reason="Not mine")


# --- Acknowledgements ------------------------------------------------------------------------------------
def test_an_unacknowledged_brief_nudges_the_freelancer_after_two_days_and_the_owner_after_four(engagement, owner):
    with time_machine.travel(START, tick=False):
        brief_save(engagement=engagement, actor=owner, **BRIEF)
        milestone_create(engagement=engagement, actor=owner, title="Part 1", acceptance_criteria="x", amount=500)

        engagement_offer(engagement=engagement, actor=owner)
    Notification.objects.all().delete()
    nudge = reminders_work.acknowledgement_nudges
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
    assert at(START + dt.timedelta(days=5), reminders_work.acknowledgement_nudges) == {"briefs": 0, "playbook": 0}
    assert Notification.objects.count() == 0


def test_a_playbook_document_waiting_for_acknowledgement_is_nudged_until_read(running, owner, workspace):
    with time_machine.travel(START + dt.timedelta(hours=1), tick=False):
        document = playbook_document_create(workspace=workspace, actor=owner, title="How we work",
                                            kind="how_we_work", body="Reply within a day.")
        playbook_attach(engagement=running, document=document, actor=owner)
    Notification.objects.all().delete()
    nudge = reminders_work.acknowledgement_nudges
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
    at(START + dt.timedelta(days=2, hours=6), reminders_work.acknowledgement_nudges)
    assert [n.context["document_title"] for n in rows("ack_reminder")] == ["Brief v3"]
    assert Milestone.objects.filter(engagement=engagement).count() == 1
