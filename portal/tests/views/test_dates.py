"""The freelancer's side of "request a new date": ask from the milestone page, see the answer,
withdraw while it waits; nobody else's milestone."""

import datetime as dt

import pytest
from django.utils import timezone

from engagements.models import DateChangeStatus, MilestoneDateChange
from engagements.tests.conftest import fund
from notifications.models import Notification

from ..conftest import start_engagement

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_milestone(workspace, owner, freelancer_a):
    engagement = start_engagement(workspace, owner, freelancer_a, title="Logo redesign", milestones=["Sketches"])
    milestone = engagement.milestones.get()
    fund(milestone)
    return milestone


def url(milestone, tail=""):
    return f"/portal/engagements/{milestone.engagement_id}/milestones/{milestone.pk}/{tail}"


def test_the_milestone_page_offers_to_ask_for_a_new_date(client_a, a_milestone):
    page = client_a.get(url(a_milestone)).content.decode()
    assert "Ask for a new one" in page


def test_asking_for_a_new_date_tells_the_owner_and_shows_it_waiting(client_a, a_milestone, owner):
    proposed = timezone.now().date() + dt.timedelta(days=20)
    response = client_a.post(url(a_milestone, "new-date/"), {"proposed_on": proposed.isoformat(),
                                                             "reason": "The client's fonts arrive late."})
    assert response.status_code == 302
    change = MilestoneDateChange.objects.get()
    assert (change.proposed_on, change.status) == (proposed, DateChangeStatus.PENDING)
    assert Notification.objects.filter(kind="milestone_date_requested", recipient_email=owner.email).exists()
    page = client_a.get(url(a_milestone)).content.decode()
    assert "Waiting for an answer" in page and "Withdraw the request" in page

    client_a.post(url(a_milestone, "new-date/withdraw/"))
    change.refresh_from_db()
    assert change.status == DateChangeStatus.WITHDRAWN


def test_a_date_in_the_past_is_refused_with_the_reason_shown(client_a, a_milestone):
    response = client_a.post(url(a_milestone, "new-date/"), {"proposed_on": "2020-01-01", "reason": "x"},
                             follow=True)
    assert "cannot be in the past" in response.content.decode()
    assert not MilestoneDateChange.objects.exists()


def test_another_freelancer_cannot_ask_for_a_date_on_someone_elses_milestone(client_b, a_milestone):
    proposed = timezone.now().date() + dt.timedelta(days=20)
    response = client_b.post(url(a_milestone, "new-date/"), {"proposed_on": proposed.isoformat(), "reason": "Mine"})
    assert response.status_code == 404
    assert not MilestoneDateChange.objects.exists()
