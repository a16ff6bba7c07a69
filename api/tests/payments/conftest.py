"""Fixtures for the payments endpoints: the payments tests' cast (an engagement in the shared
`workspace`, its freelancer with a portal login, milestones funded and submitted through the
services, an hourly engagement), and an API client per role."""

import pytest
from rest_framework.test import APIClient

from api.models import ApiToken, TokenRole
from payments.tests import conftest as payments_cast

# The payments tests' cast, registered as fixtures of these tests by being named here.
freelancer = payments_cast.freelancer
engagement = payments_cast.engagement
milestone = payments_cast.milestone
make_milestone = payments_cast.make_milestone
funded = payments_cast.funded
submitted = payments_cast.submitted
released = payments_cast.released
hourly = payments_cast.hourly


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
