"""The API side of the access matrix, and the portal invitations endpoints.

Every API operation that takes an id, generated from the URL configuration, is called with the
real ids of freelancer A's objects by freelancer B's token (same workspace) and by the token of
another workspace's owner, with every method: each answers 404 (or 405 for a method the
operation does not have), exactly as for an id that does not exist, and nothing changes. List
operations answer them with their own rows only. A's own token sees A's engagements; A's owner
sees everything.
"""

import re

import pytest
from django.db import transaction
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from rest_framework.test import APIClient

from accounts.models import Invitation, InvitationStatus
from api.models import ApiToken, TokenRole
from api.permissions import IsFreelancer, IsWorkspaceOwner
from notifications.models import Notification

from .conftest import SECRET_MARK
from .test_access_matrix import changed_since, snapshot, writes

pytestmark = pytest.mark.django_db

# Operations that take no object id and are about the token itself (its user's calendar link,
# marking all its user's notices read: test_inbox_search_calendar.py).
NOT_OBJECT_SCOPED = {"api:token", "api:me", "api:schema", "api:docs", "api:calendar", "api:calendar_rotate",
                     "api:inbox_read_all"}
# `pk` of each API operation (by name prefix, first match wins) → the attribute of `world`.
PK_BY_NAME = [
    (r"^api:token_detail", "owner_token"),
    (r"^api:freelancer", "freelancer"),
    (r"^api:reference", "reference"),
    (r"^api:interview", "interview"),
    (r"^api:engagement", "engagement"),
    (r"^api:agreement-template", "agreement_template"),
    (r"^api:agreement", "agreement"),
    (r"^api:brief", "brief"),
    (r"^api:question", "question"),
    (r"^api:milestone", "milestone"),
    (r"^api:invitation", "portal_invitation"),
    (r"^api:timesheet", "timesheet"),
    (r"^api:time-entry", "entry"),
    (r"^api:message", "message"),
    (r"^api:attachment", "attachment"),
    (r"^api:invoice", "invoice"),
    (r"^api:import", "freelancer_import"),
    (r"^api:inbox_read", "notice"),
    (r"^api:webhook-delivery-", "webhook_delivery"),
    (r"^api:webhook-", "webhook_endpoint"),
]
# Operations naming an item of A's by a composed key: (attribute of `world`, the key from its id).
KEYED = {"api:attention_snooze": ("engagement", lambda pk: f"update_overdue:{pk}")}
METHODS = ["get", "post", "patch", "put", "delete"]
# A's own token must be able to read these (their engagements and what hangs from them).
FREELANCER_READS = {"api:engagement", "api:engagement-briefs", "api:engagement-milestones",
                    "api:engagement-status-updates", "api:brief", "api:milestone", "api:engagement-timesheets",
                    "api:timesheet", "api:engagement-messages", "api:message", "api:attachment",
                    "api:engagement-agreements", "api:agreement", "api:agreement-pdf", "api:invoices",
                    "api:invoice", "api:invoice-pdf", "api:me-tax-details"}


def _walk(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, ":".join(filter(None, [namespace, p.namespace])))
        elif isinstance(p, URLPattern) and namespace == "api" and p.name:
            yield f"api:{p.name}", p


def operations(world):
    ops = []
    for name, pattern in _walk(get_resolver().url_patterns):
        if name in NOT_OBJECT_SCOPED:
            continue
        keys = list(pattern.pattern.converters)
        if not keys:
            ops.append((name, reverse(name), None, pattern))
            continue
        if name in KEYED:
            attr, make = KEYED[name]
            ops.append((name, reverse(name, kwargs={"key": make(getattr(world, attr).pk)}),
                        reverse(name, kwargs={"key": make(987654321)}), pattern))
            continue
        if keys != ["pk"]:
            pytest.fail(f"API operation {name} takes {keys}: teach the API matrix what they name")
        attr = next((a for rx, a in PK_BY_NAME if re.match(rx, name)), None)
        if attr is None:
            pytest.fail(f"API operation {name} takes `pk` but PK_BY_NAME does not say what it is: add it")
        ops.append((name, reverse(name, kwargs={"pk": getattr(world, attr).pk}),
                    reverse(name, kwargs={"pk": 987654321}), pattern))
    return ops


def token_client(user, workspace, role, freelancer=None):
    _, key = ApiToken.issue(user=user, workspace=workspace, role=role, freelancer=freelancer)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}", HTTP_IDEMPOTENCY_KEY="matrix-probe")
    return client


def _call(client, method, url, before=None):
    """One call in a transaction rolled back afterwards; with `before`, also the tables it
    changed (a stored Idempotency-Key response is the API's own bookkeeping, not a change)."""
    with transaction.atomic():
        written = writes() if before is not None else None
        response = getattr(client, method)(url, {}, format="json")
        changed = None
        if before is not None:
            changed = [k for k in changed_since(before, written) if k != "api.IdempotencyKey"]
        transaction.set_rollback(True)
    return response, changed


@pytest.fixture
def tokens(world, workspace, owner, outsider, freelancer_b):
    outsider_workspace = outsider.memberships.get().workspace
    return {
        "A": token_client(world.freelancer.user, workspace, TokenRole.FREELANCER, world.freelancer),
        "B": token_client(freelancer_b.user, workspace, TokenRole.FREELANCER, freelancer_b),
        "outsider": token_client(outsider, outsider_workspace, TokenRole.OWNER),
        "owner": token_client(owner, workspace, TokenRole.OWNER),
    }


@pytest.mark.parametrize("who", ["B", "outsider"])
def test_other_tokens_get_nothing_of_a_from_any_operation(world, tokens, who):
    client = tokens[who]
    before = snapshot()
    problems = []
    for name, url, missing_url, _ in operations(world):
        for method in METHODS:
            response, changed = _call(client, method, url, before)
            if SECRET_MARK.encode() in response.content:
                problems.append(f"{who} {method.upper()} {url} showed A's data")
            if missing_url is None:
                # A list or create operation: theirs. B (a freelancer) may create nothing here.
                if who == "B" and changed:
                    problems.append(f"{who} {method.upper()} {url} changed {changed}")
                continue
            if changed:
                problems.append(f"{who} {method.upper()} {url} changed {changed}")
            if response.status_code not in (404, 405):
                problems.append(f"{who} {method.upper()} {url} → {response.status_code}")
            missing, _ = _call(client, method, missing_url)
            if missing.status_code != response.status_code:
                problems.append(f"{who} {method.upper()} {url} → {response.status_code} but "
                                f"{missing.status_code} for an id that does not exist")
    assert problems == []


def test_a_sees_their_own_engagements_and_the_owner_sees_all(world, tokens, freelancer_b):
    ops = {name: url for name, url, _, _ in operations(world)}
    for name in FREELANCER_READS & set(ops):
        assert tokens["A"].get(ops[name]).status_code == 200, name
    listed = tokens["A"].get(reverse("api:engagements")).json()
    titles = {row["title"] for row in listed["results"]}
    assert titles and all(SECRET_MARK in t for t in titles)
    assert "Bruno's own work" not in titles
    for name, url, missing_url, pattern in operations(world):
        if missing_url is None:
            continue
        expected = {200, 405}
        permissions = getattr(getattr(pattern.callback, "view_class", None), "permission_classes", [])
        if IsFreelancer in permissions:
            expected = {404, 405}  # the freelancer's own actions (acknowledge, submit): not for staff
        assert tokens["owner"].get(url).status_code in expected, name


def test_every_operation_of_the_openapi_schema_is_walked(world):
    """The matrices walk the URL configuration; the schema is what integrators read. Each
    operation it lists (path and method) is one the walks above call: a route the matrices do
    not know fails here."""
    schema = APIClient().get(reverse("api:schema"), {"format": "json"}).json()
    walked = {name for name, _, _, _ in operations(world)} | NOT_OBJECT_SCOPED
    unknown = []
    for path, item in schema["paths"].items():
        concrete = re.sub(r"\{[^}]+\}", "1", path)
        try:
            name = f"api:{resolve(concrete).url_name}"
        except Resolver404:
            unknown.append(f"{path}: not in the URL configuration")
            continue
        methods = {m for m in item if m in {"get", "post", "put", "patch", "delete", "head", "options", "trace"}}
        if name not in walked:
            unknown.append(f"{path} ({name}): not walked by the matrix")
        if methods - set(METHODS):
            unknown.append(f"{path}: {sorted(methods - set(METHODS))} not called by the matrix")
    assert len(schema["paths"]) >= 60
    assert unknown == []


# --- /invitations/ ----------------------------------------------------------------------------------
def test_an_owner_token_invites_a_freelancer_and_lists_the_status(world, tokens, workspace):
    invited = world.invited
    response = tokens["owner"].post("/api/v1/invitations/", {"freelancer": invited.pk}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["freelancer"], body["email"], body["status"]) == (invited.pk, invited.email, "pending")
    # The earlier pending one was replaced: its link is dead.
    world.portal_invitation.refresh_from_db()
    assert world.portal_invitation.status == InvitationStatus.REVOKED
    assert Notification.objects.filter(kind="portal_invitation", recipient_email=invited.email).count() == 1

    listing = tokens["owner"].get("/api/v1/invitations/?status=pending").json()
    assert [row["id"] for row in listing["results"]] == [body["id"]]
    revoked = tokens["owner"].get(f"/api/v1/invitations/?status=revoked&freelancer={invited.pk}").json()
    assert [row["id"] for row in revoked["results"]] == [world.portal_invitation.pk]

    assert tokens["owner"].post(f"/api/v1/invitations/{body['id']}/revoke/").json()["status"] == "revoked"
    again = tokens["owner"].post(f"/api/v1/invitations/{body['id']}/revoke/")
    assert again.status_code == 409


def test_inviting_someone_with_a_login_is_a_conflict_and_bad_ids_are_field_errors(world, tokens, freelancer_b):
    count = Invitation.objects.count()
    conflict = tokens["owner"].post("/api/v1/invitations/", {"freelancer": world.freelancer.pk}, format="json")
    assert conflict.status_code == 409
    assert "already has a portal login" in conflict.json()["detail"]
    foreign = tokens["outsider"].post("/api/v1/invitations/", {"freelancer": world.invited.pk}, format="json")
    assert foreign.status_code == 400 and "freelancer" in foreign.json()
    wrong_engagement = tokens["owner"].post("/api/v1/invitations/", {
        "freelancer": world.invited.pk, "engagement": world.engagement.pk}, format="json")
    assert wrong_engagement.status_code == 400 and "engagement" in wrong_engagement.json()
    assert Invitation.objects.count() == count


def test_freelancer_tokens_have_no_invitations(world, tokens):
    assert tokens["A"].get("/api/v1/invitations/").status_code == 404
    assert tokens["A"].post("/api/v1/invitations/", {"freelancer": world.invited.pk}, format="json").status_code \
        == 404
    assert tokens["outsider"].get("/api/v1/invitations/").json()["results"] == []


# --- Anonymous callers and managers (issue 15) -------------------------------------------------
# Operations anyone may call without a token: asking for one, and the schema and its docs.
ANONYMOUS_OPEN = {"api:token", "api:schema", "api:docs"}


def _all_operations(world):
    """Every API operation, those without an object id included, with A's ids filled in."""
    ops = {name: url for name, url, _, _ in operations(world)}
    for name, pattern in _walk(get_resolver().url_patterns):
        if name in NOT_OBJECT_SCOPED:
            ops[name] = reverse(name)
    return ops


def test_without_a_token_every_operation_answers_401_and_changes_nothing(world):
    client = APIClient()
    before = snapshot()
    problems = []
    for name, url in _all_operations(world).items():
        if name in ANONYMOUS_OPEN:
            continue
        for method in METHODS:
            response, changed = _call(client, method, url, before)
            if changed:
                problems.append(f"anonymous {method.upper()} {url} changed {changed}")
            if response.status_code not in (401, 405) or SECRET_MARK.encode() in response.content:
                problems.append(f"anonymous {method.upper()} {url} → {response.status_code}")
            elif response.status_code == 401 and "detail" not in response.json():
                problems.append(f"anonymous {method.upper()} {url}: 401 without a reason")
    assert problems == []
    # A forged or revoked token is no better than none.
    forged = APIClient()
    forged.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert forged.get(reverse("api:engagement", kwargs={"pk": world.engagement.pk})).status_code == 401


def test_a_manager_token_reads_the_workspace_and_a_foreign_manager_gets_nothing(world, workspace, outsider):
    from accounts.models import Membership, Role
    from accounts.tests.factories import UserFactory

    mine = token_client(world.membership.user, workspace, TokenRole.MANAGER)
    other = UserFactory(email="max.manager@example.org")
    other_workspace = outsider.memberships.get().workspace
    Membership.objects.create(user=other, workspace=other_workspace, role=Role.MANAGER)
    foreign = token_client(other, other_workspace, TokenRole.MANAGER)
    before = snapshot()
    problems = []
    for name, url, missing_url, pattern in operations(world):
        if missing_url is None:
            continue
        permissions = getattr(getattr(pattern.callback, "view_class", None), "permission_classes", [])
        # Owner-only operations (webhooks) answer a manager 404 like any other outsider.
        if IsWorkspaceOwner in permissions and mine.get(url).status_code not in (404, 405):
            problems.append(f"manager GET {url} (owners only) → {mine.get(url).status_code}")
        elif IsFreelancer not in permissions and IsWorkspaceOwner not in permissions \
                and mine.get(url).status_code not in (200, 405):
            problems.append(f"manager GET {url} → {mine.get(url).status_code}")
        for method in METHODS:
            response, changed = _call(foreign, method, url, before)
            if changed or response.status_code not in (404, 405) or SECRET_MARK.encode() in response.content:
                problems.append(f"foreign manager {method.upper()} {url} → {response.status_code} {changed or ''}")
    assert problems == []
