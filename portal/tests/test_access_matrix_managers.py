"""The access matrix (test_access_matrix.py) walked by managers: the owner's teammate, and a
manager of another workspace (issue 15)."""

import pytest

from accounts.models import Membership, Role
from accounts.tests.factories import UserFactory

from .conftest import client_for
from .test_access_matrix import OWNER_EMPTY_POST_404, _check_insider, _check_intruder, _data, _request, pages, snapshot

pytestmark = pytest.mark.django_db

# --- Managers (issue 15): the owner's teammate, and a manager of another workspace ------------
# Owner pages a manager of A's workspace is refused (404, like a page that does not exist): the
# workspace's settings and audit log, the team, editing or retracting the owner's own messages,
# the owner's own notices and API tokens. (Money decisions are refused by the services, with a
# message on the page: payments/tests.) Listed so a page that starts or stops refusing them fails
# here.
MANAGER_REFUSED = {"accounts:audit_log", "accounts:workspace_settings", "api_tokens:revoke",
                   "dashboard:invitation_resend", "dashboard:invitation_revoke",
                   "dashboard:member_remove", "engagements:message_edit", "engagements:message_retract",
                   "notifications:notice", "webhooks:list", "webhooks:create", "webhooks:detail", "webhooks:edit",
                   "webhooks:rotate", "webhooks:toggle", "webhooks:test", "webhooks:delete", "webhooks:redeliver"}


def test_a_manager_of_a_workspace_uses_its_owner_pages_but_not_the_owner_only_ones(world, workspace):
    manager = client_for(world.membership.user)
    world.snapshot = snapshot()
    problems, refused = [], set()
    for page in pages(world):
        if page.portal_side:
            problems += [f"manager: {p}" for p in _check_intruder(manager, page, world, workspace,
                                                                 own_workspace=True)]
            continue
        response, _ = _request(manager, "get", page, {})
        if response.status_code == 405:
            response, _ = _request(manager, "post", page, _data(page, world, workspace))
        if response.status_code == 404 and page.name not in OWNER_EMPTY_POST_404:
            refused.add(page.name)
            problems += [f"manager: {p}" for p in _check_intruder(manager, page, world, workspace,
                                                                 own_workspace=True)]
        else:
            problems += [f"manager: {p}" for p in _check_insider(manager, page, world, workspace, portal=False)]
    assert problems == []
    assert refused == MANAGER_REFUSED, " ".join(sorted(refused))


def test_a_manager_of_another_workspace_gets_nothing_of_a(world, workspace, outsider):
    other = UserFactory(email="max.manager@example.org")
    Membership.objects.create(user=other, workspace=outsider.memberships.get().workspace, role=Role.MANAGER)
    world.snapshot = snapshot()
    client = client_for(other)
    problems = []
    for page in pages(world):
        problems += [f"other manager: {p}" for p in _check_intruder(client, page, world, workspace,
                                                                    own_workspace=True)]
    assert problems == []
