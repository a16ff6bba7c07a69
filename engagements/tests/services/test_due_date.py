"""Asking for a new due date: the freelancer proposes one with a reason, the owner accepts
(the date moves and its reminders restart) or declines with a note; the history stays."""

import datetime as dt
from datetime import UTC

import pytest
import time_machine
from django.core.exceptions import ValidationError

from engagements.models import DateChangeStatus
from engagements.reminders.milestones import milestone_reminders
from engagements.services.due_date import milestone_date_decide, milestone_date_request
from engagements.services.milestone import milestone_update
from engagements.services.transitions import ConflictError, NotAllowed
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
    assert at(dt.datetime(2026, 1, 22, 9, 0, tzinfo=UTC), milestone_reminders)["overdue"] == 0
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
