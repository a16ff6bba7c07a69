"""The engagement page reads in the order a phone shows it: what to do next, deadlines and
money first, the history after, destructive actions last; the check-in lines say one true thing."""

import datetime as dt

import pytest
from django.utils import timezone

from engagements.services.reporting import checkin_schedule

pytestmark = pytest.mark.django_db


def page(client, engagement):
    return client.get(f"/engagements/{engagement.pk}/").content.decode()


def test_milestones_deadlines_and_money_first_cancel_last(owner_client, active):
    html = page(owner_client, active)
    order = [html.index(marker) for marker in ('id="milestones"', 'id="deadlines-h"', 'id="budget-h"',
                                               'id="latest-h"', 'id="timeline-h"', "Cancel engagement…")]
    assert order == sorted(order)
    assert html.count("Cancel engagement…") == 1


def test_a_planned_checkin_is_not_also_a_nudge_to_plan_one(owner_client, active, owner):
    html = page(owner_client, active)
    assert "None planned" in html and "plan one" in html
    when = timezone.now() + dt.timedelta(days=2)
    checkin_schedule(engagement=active, actor=owner, scheduled_at=when, agenda="Demo")
    html = page(owner_client, active)
    assert "None planned" not in html and "nudged" not in html and "plan one" not in html
    assert ", planned" in html and "One is planned for" in html
