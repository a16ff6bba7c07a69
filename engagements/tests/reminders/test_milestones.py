"""Milestone due-date reminders: two days before to the freelancer, the morning after to both
sides; submitted work and unfunded fixed-price work are not chased."""

import datetime as dt
from datetime import UTC

import pytest
import time_machine

from engagements.models import PayTerms
from engagements.reminders.milestones import milestone_reminders
from engagements.services.milestone import milestone_create, milestone_submit, milestone_update
from engagements.tests.conftest import activate, fund
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


def test_the_freelancer_hears_two_days_before_and_both_sides_the_morning_after_the_date(milestone, running):
    soon = dt.datetime(2026, 1, 19, 9, 0, tzinfo=UTC)  # Monday 09:00 Lisbon
    overdue = dt.datetime(2026, 1, 22, 9, 0, tzinfo=UTC)  # Thursday 09:00 Lisbon
    assert milestone.due_reminder_at == soon

    assert at(soon - dt.timedelta(minutes=1), milestone_reminders) == {"due_soon": 0, "overdue": 0}
    assert at(soon, milestone_reminders) == {"due_soon": 1, "overdue": 0}
    assert at(soon + dt.timedelta(hours=5), milestone_reminders) == {"due_soon": 0, "overdue": 0}
    [reminder] = rows("milestone_due_soon")
    assert reminder.recipient_email == "frida@example.net"
    assert reminder.context["due_on"] == "Wednesday 21 January 2026"

    assert at(overdue - dt.timedelta(minutes=1), milestone_reminders)["overdue"] == 0
    assert at(overdue, milestone_reminders) == {"due_soon": 0, "overdue": 1}
    assert at(overdue + dt.timedelta(days=3), milestone_reminders)["overdue"] == 0
    assert [n.recipient_email for n in rows("milestone_overdue")] == ["frida@example.net"]
    assert [n.recipient_email for n in rows("milestone_overdue_owner")] == ["owner@example.com"]
    assert Notification.objects.count() == 3


def test_submitted_work_is_not_chased(milestone, running):
    with time_machine.travel(dt.datetime(2026, 1, 20, 12, 0, tzinfo=UTC), tick=False):
        milestone_submit(milestone_id=milestone.pk, freelancer=running.freelancer, message="Done",
                         attest_own_work=True)
    assert at(dt.datetime(2026, 1, 23, 9, 0, tzinfo=UTC), milestone_reminders) == {
        "due_soon": 0, "overdue": 0}


def test_an_unfunded_fixed_price_milestone_waits_rather_than_nags(running, owner):
    with time_machine.travel(START, tick=False):
        m, _ = milestone_create(engagement=running, actor=owner, title="Extra", acceptance_criteria="x",
                                amount=1000, due_on=DUE_ON)
    assert running.pay_terms == PayTerms.FIXED
    assert at(dt.datetime(2026, 1, 19, 9, 0, tzinfo=UTC), milestone_reminders)["due_soon"] == 0
    m.refresh_from_db()
    assert m.due_reminder_at == dt.datetime(2026, 1, 20, 9, 0, tzinfo=UTC)  # looked at again a day later
    fund(m)
    assert at(dt.datetime(2026, 1, 20, 9, 0, tzinfo=UTC), milestone_reminders)["due_soon"] == 1
