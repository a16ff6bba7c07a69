"""Fixtures for the payments tests: an engagement in the shared `workspace`, its freelancer
(with a portal login), and helpers that move a milestone along."""

import itertools
from datetime import UTC, date, datetime

import pytest
from rest_framework.test import APIClient

from api.models import ApiToken, TokenRole
from engagements.services.transitions import milestone_transition
from payments import services

from .factories import EngagementFactory, FreelancerFactory, MilestoneFactory

_keys = itertools.count(1)


def new_key():
    return f"test-key-{next(_keys)}"


MONDAY = date(2026, 3, 2)  # the week of the hourly fixtures


@pytest.fixture
def freelancer(workspace):
    return FreelancerFactory(workspace=workspace, name="Frida Freelancer", email="frida@example.com")


@pytest.fixture
def engagement(workspace, freelancer):
    return EngagementFactory(workspace=workspace, freelancer=freelancer, title="Website redesign",
                             budget=1_000_000, contingency_percent=15)


@pytest.fixture
def milestone(engagement):
    return MilestoneFactory(engagement=engagement, title="Home page", amount=150_000)


@pytest.fixture
def make_milestone(engagement):
    def make(**kwargs):
        kwargs.setdefault("engagement", engagement)
        return MilestoneFactory(**kwargs)

    return make


def fund(milestone, owner):
    return services.milestone_fund(milestone=milestone, actor=owner, idempotency_key=new_key())


def submit(milestone):
    """The freelancer hands in work (the engagements service's transition, then the clock)."""
    milestone_transition(milestone_id=milestone.pk, to_state="submitted")
    services.review_clock_start(milestone_id=milestone.pk)
    milestone.refresh_from_db()
    return milestone


@pytest.fixture
def funded(milestone, owner):
    fund(milestone, owner)
    milestone.refresh_from_db()
    return milestone


@pytest.fixture
def submitted(funded):
    return submit(funded)


@pytest.fixture
def hourly(workspace, freelancer, time_machine):
    """An hourly engagement (10 h a week), the clock on the Sunday of the week of MONDAY."""
    time_machine.move_to(datetime(2026, 3, 8, 18, 0, tzinfo=UTC), tick=False)
    return EngagementFactory(workspace=workspace, freelancer=freelancer, pay_terms="hourly", weekly_hour_cap=10,
                             budget=500_000)


# --- API clients per role (the payments endpoints of the REST API) --------------------------
def client_for(user, workspace, role, freelancer=None):
    _, key = ApiToken.issue(user=user, workspace=workspace, role=role, freelancer=freelancer)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def owner_api(owner, workspace):
    return client_for(owner, workspace, TokenRole.OWNER)


@pytest.fixture
def manager_api(manager, workspace):
    return client_for(manager, workspace, TokenRole.MANAGER)


@pytest.fixture
def freelancer_api(freelancer, workspace):
    return client_for(freelancer.user, workspace, TokenRole.FREELANCER, freelancer)


@pytest.fixture
def outsider_api(outsider):
    return client_for(outsider, outsider.memberships.get().workspace, TokenRole.OWNER)


def post(client, path, data=None, key="k-1"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(f"/api/v1{path}", data or {}, format="json", **headers)
