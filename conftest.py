"""Shared test set-up: service markers, the cast (owner, teammate, outsider), Chromium.

Tests marked `postgres`, `redis` or `browser` skip with a stated reason when their service is
absent. `.ci/run` sets REQUIRE_SERVICES=1, which turns any such skip into a failure, so CI
can never report a skipped check as passing.
"""

import os
import shutil
import socket
from urllib.parse import urlparse

import pytest

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls from
# there unless told it is safe (it is: the tests are single-threaded).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def _redis_reachable():
    url = os.environ.get("REDIS_URL")
    if not url:
        return False
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def _missing_service(item):
    from django.conf import settings

    is_postgres = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    if item.get_closest_marker("postgres") and not is_postgres:
        return "needs PostgreSQL: set DATABASE_URL=postgres://… (CI does)"
    if item.get_closest_marker("redis") and not _redis_reachable():
        return "needs Redis: set REDIS_URL=redis://… to a running server (CI does)"
    if item.get_closest_marker("browser") and not shutil.which(CHROMIUM):
        return f"needs Chromium at {CHROMIUM}: apt-get install -y chromium (CI does)"
    return None


def pytest_collection_modifyitems(config, items):
    require = os.environ.get("REQUIRE_SERVICES") == "1"
    for item in items:
        reason = _missing_service(item)
        if reason is None:
            continue
        if require:
            item.missing_service = reason
            item.fixturenames.insert(0, "_service_required")
        else:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def _service_required(request):
    pytest.fail(f"REQUIRE_SERVICES=1 but this test {request.node.missing_service}")


def pytest_terminal_summary(terminalreporter):
    skipped = len(terminalreporter.stats.get("skipped", []))
    terminalreporter.write_line(
        f"service-dependent tests skipped: {skipped}"
        + ("" if skipped == 0 else " (set DATABASE_URL and REDIS_URL and install chromium to run them)")
    )


# --- Playwright against Debian's Chromium ------------------------------------------------------
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


# --- The cast -----------------------------------------------------------------------------------
@pytest.fixture
def owner(db):
    from accounts.tests.factories import UserFactory

    return UserFactory(email="owner@example.com", full_name="Olivia Owner")


@pytest.fixture
def workspace(owner):
    from accounts.models import Membership, Role
    from accounts.tests.factories import WorkspaceFactory

    ws = WorkspaceFactory(name="Acme Studio")
    Membership.objects.create(user=owner, workspace=ws, role=Role.OWNER)
    return ws


@pytest.fixture
def manager(workspace):
    from accounts.models import Membership, Role
    from accounts.tests.factories import UserFactory

    user = UserFactory(email="manager@example.com", full_name="Mia Manager")
    Membership.objects.create(user=user, workspace=workspace, role=Role.MANAGER)
    return user


@pytest.fixture
def outsider(db):
    """The owner of another workspace."""
    from accounts.models import Membership, Role
    from accounts.tests.factories import UserFactory, WorkspaceFactory

    user = UserFactory(email="outsider@example.com", full_name="Otto Outsider")
    ws = WorkspaceFactory(name="Other Co")
    Membership.objects.create(user=user, workspace=ws, role=Role.OWNER)
    return user


@pytest.fixture
def owner_client(client, owner, workspace):
    client.force_login(owner)
    return client


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def outsider_client(client, outsider):
    client.force_login(outsider)
    return client
