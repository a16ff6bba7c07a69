"""API test cast: tokens for the shared owner/manager/outsider, a freelancer with a portal
login, and a client that sends a token."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import Workspace
from accounts.tests.factories import UserFactory
from api.models import ApiToken, TokenRole
from api.throttling import TokenThrottle
from freelancers.models import Freelancer


@pytest.fixture(autouse=True)
def _fresh_token_throttle():
    """The token throttle counts per address in the cache, which outlives a test (and, on
    Redis, the test run): start every test with the test client's address unthrottled."""
    throttle = TokenThrottle()
    cache.delete(throttle.cache_format % {"scope": throttle.scope, "ident": "127.0.0.1"})
    yield


def issue(user, workspace, role, freelancer=None):
    _, key = ApiToken.issue(user=user, workspace=workspace, role=role, freelancer=freelancer)
    return key


def client_with(key=None):
    client = APIClient()
    if key:
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def freelancer_user(db):
    return UserFactory(email="fred@example.com", full_name="Fred Freelancer")


@pytest.fixture
def freelancer(workspace, freelancer_user):
    return Freelancer.objects.create(
        workspace=workspace, name="Fred Freelancer", email="fred@example.com", user=freelancer_user,
    )


@pytest.fixture
def outsider_workspace(outsider):
    return Workspace.objects.get(memberships__user=outsider)


@pytest.fixture
def owner_api(owner, workspace):
    return client_with(issue(owner, workspace, TokenRole.OWNER))


@pytest.fixture
def manager_api(manager, workspace):
    return client_with(issue(manager, workspace, TokenRole.MANAGER))


@pytest.fixture
def outsider_api(outsider, outsider_workspace):
    return client_with(issue(outsider, outsider_workspace, TokenRole.OWNER))


@pytest.fixture
def freelancer_api(freelancer_user, workspace, freelancer):
    return client_with(issue(freelancer_user, workspace, TokenRole.FREELANCER, freelancer))
