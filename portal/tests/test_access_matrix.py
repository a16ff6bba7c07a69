"""The access matrix: every portal and owner page, generated from the URL configuration (so a
new page is covered the day it is added), visited with the real ids of freelancer A's objects
by A, A's owner, freelancer B (same workspace), the owner of another workspace and an
anonymous visitor.

- A gets 200 (or a redirect within the portal) on portal pages, A's owner on owner pages;
- everyone else gets 404, a login redirect, or 405 (a POST-only page asked with GET), and never
  a page that shows anything of A's (`SECRET_MARK`);
- no request of theirs changes anything: a snapshot of every row of every project table is the
  same before and after (each request runs in a transaction rolled back afterwards, so all of
  them meet the same world).

A URL pattern with a keyword this file does not know fails the test: add it to `KWARGS` (or,
for `pk`, to `PK_BY_ROUTE`) with the object of A's it names.
"""

import re
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import AuditEvent

from .conftest import SECRET_MARK, client_for

pytestmark = pytest.mark.django_db

# Not walked: Django's admin (staff only, its own permission system), the API (its own matrix in
# test_api_matrix.py), the mail providers' inbound webhooks (their own secret, no login, no ids:
# engagements/tests/test_inbound.py), Stripe's webhooks (its signature, no login, no ids:
# payments/tests/test_stripe_webhooks.py) and pages meant for anyone: signing up and in, password resets, the
# referee's questionnaire, invitation links, one-click unsubscribe links, the health check.
SKIPPED_NAMESPACES = {"admin", "api", "inbound_email", "stripe_webhooks"}
PUBLIC = {
    "accounts:signup", "accounts:login", "accounts:logout", "password_reset", "password_reset_done",
    "password_reset_confirm", "password_reset_complete", "referee:questionnaire", "referee:done", "referee:open",
    "invitation_open", "invitation_accept", "portal:invitation_open", "portal:invitation_accept", "portal:sign_in",
    "healthz", "notifications:unsubscribe", "engagements:calendar_feed",
}
# The signed-in person's own account (name, password, API tokens) and "mark all my notices
# read": no workspace's data, open to any login, changing only the visitor's own rows (the
# notices themselves are walked below, by id).
OWN_ACCOUNT = {"accounts:profile", "accounts:password_change", "notifications:read_all", "portal:read_all",
               "api_tokens:list"}

# keyword → the attribute of `world` (or of the fixtures) holding A's object it names.
KWARGS = {
    "freelancer_pk": "freelancer", "question_pk": "question", "milestone_pk": "milestone", "file_pk": "file",
    "checkin_pk": "checkin", "document_pk": "document", "grant_pk": "grant", "brief_pk": "brief",
    "timesheet_pk": "timesheet", "entry_pk": "entry", "invitation_pk": "portal_invitation",
    "message_pk": "message", "attachment_pk": "attachment", "agreement_pk": "agreement",
    "template_pk": "agreement_template",
}
# A keyword that names a different object of A's world under a route prefix (first match wins):
# the owner's pages edit or retract the owner's own message, the portal's A's.
KWARGS_BY_ROUTE = [(r"^engagements/", "message_pk", "owner_message")]
# `pk` means a different object under each prefix (first match wins).
PK_BY_ROUTE = [
    (r"^accounts/workspace/webhooks/deliveries/", "webhook_delivery"),
    (r"^accounts/workspace/webhooks/", "webhook_endpoint"),
    (r"^accounts/tokens/", "owner_token"),
    (r"^team/invitations/", "teammate_invitation"),
    (r"^team/members/", "membership"),
    (r"^freelancers/samples/", "sample"),
    (r"^freelancers/testimonials/", "testimonial"),
    (r"^freelancers/references/", "reference"),
    (r"^freelancers/interviews/", "interview"),
    (r"^freelancers/import/", "freelancer_import"),
    (r"^freelancers/", "freelancer"),
    (r"^engagements/playbook/", "document"),
    (r"^engagements/", "engagement"),
    (r"^payments/engagements/", "engagement"),
    (r"^payments/freelancers/", "freelancer"),
    (r"^payments/milestones/", "milestone"),
    (r"^payments/timesheets/", "timesheet"),
    (r"^payments/charges/", "charge"),
    (r"^payments/invoices/", "invoice"),
    (r"^portal/invoices/", "invoice"),
    (r"^portal/engagements/", "engagement"),
    (r"^portal/inbox/", "notice"),
    (r"^notifications/inbox/", "owner_notice"),
]
# Slug keywords: every value a page knows.
SLUGS = {
    ("payments:milestone_action", "action"): ["fund", "release", "refund", "dispute", "resolve", "extend"],
    ("payments:timesheet_action", "action"): ["approve", "dispute", "extend"],
}
# Keywords that name an item of A's by a composed key: every form it may take for A's world.
WORLD_KEYS = {
    ("dashboard:attention_snooze", "key"): lambda w: [
        f"update_overdue:{w.engagement.pk}", f"silent:{w.engagement.pk}", f"budget_alert:{w.engagement.pk}",
        f"milestone_overdue:{w.milestone.pk}", f"review_closing:{w.milestone.pk}",
        f"brief_unacknowledged:{w.brief.pk}"],
}
# What a POST carries, where an empty body would not even reach the object (so the matrix
# would prove nothing): the switchers are asked to switch into A's seat.
POST_DATA = {
    "portal:switch": lambda w, ws: {"freelancer": w.freelancer.pk},
    "accounts:switch_workspace": lambda w, ws: {"workspace": ws.pk},
}
# Pages whose answer to A's own owner, for an empty POST, is a 404 by design (the form's
# hidden idempotency key is missing; a snooze of an item that does not need attention now): they
# are still checked for everyone else.
OWNER_EMPTY_POST_404 = {"payments:timesheet_action", "dashboard:attention_snooze"}
# Volatile columns that a mere visit may touch: the visitor's own "last seen", a token's "last
# used", the login time.
VOLATILE = {("portal", "portalaccess", "last_seen_at"), ("api", "apitoken", "last_used_at"),
            ("accounts", "user", "last_login")}
PROJECT_APPS = ["accounts", "notifications", "freelancers", "engagements", "payments", "portal", "api"]


@dataclass
class Page:
    name: str
    route: str
    url: str
    has_kwargs: bool

    @property
    def portal_side(self):
        return self.name.startswith("portal:") and not self.name.startswith("portal:owner_")


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(filter(None, [namespace, p.namespace]))
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or "")
            yield prefix + str(p.pattern), namespace, name, p


def _pk_for(route):
    for pattern, attr in PK_BY_ROUTE:
        if re.match(pattern, route):
            return attr
    pytest.fail(f"URL pattern {route!r} takes `pk` but PK_BY_ROUTE does not say what it is: add it")


def pages(world):
    found = []
    for route, namespace, name, pattern in _walk(get_resolver().url_patterns):
        if namespace.split(":")[0] in SKIPPED_NAMESPACES or name in PUBLIC or name in OWN_ACCOUNT:
            continue
        if not name:
            pytest.fail(f"URL pattern {route!r} has no name: name it so the matrix can cover it")
        keys = list(pattern.pattern.converters)
        if not keys:
            found.append(Page(name, route, reverse(name), False))
            continue
        variants = [{}]
        for key in keys:
            if (name, key) in SLUGS:
                variants = [{**v, key: slug} for v in variants for slug in SLUGS[(name, key)]]
            elif (name, key) in WORLD_KEYS:
                variants = [{**v, key: item} for v in variants for item in WORLD_KEYS[(name, key)](world)]
            elif key == "pk":
                variants = [{**v, key: getattr(world, _pk_for(route)).pk} for v in variants]
            elif key in KWARGS:
                attr = next((a for rx, k, a in KWARGS_BY_ROUTE if k == key and re.match(rx, route)), KWARGS[key])
                variants = [{**v, key: getattr(world, attr).pk} for v in variants]
            else:
                pytest.fail(f"URL pattern {name} ({route!r}) takes `{key}`, unknown to the access matrix: "
                            "add it to KWARGS with the object of A's it names")
        found.extend(Page(name, route, reverse(name, kwargs=kw), True) for kw in variants)
    return found


# The audit log is written by a denied request on purpose (accounts/audit.py), and the workspace's
# change mark moves with that write (accounts/changes.py): neither is a change of state.
NOT_STATE = {"accounts.AuditEvent", "accounts.WorkspaceChange"}


def snapshot(only=None):
    """Every row of every project table (or of the models labelled in `only`)."""
    state = {}
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            if model._meta.label in NOT_STATE or (only is not None and model._meta.label not in only):
                continue
            fields = [f.attname for f in model._meta.concrete_fields
                      if (label, model._meta.model_name, f.name) not in VOLATILE]
            state[model._meta.label] = list(model._default_manager.order_by("pk").values_list(*fields))
    return state


def writes():
    """On PostgreSQL, per table, the rows this transaction has inserted, updated or deleted so far
    (pg_stat_xact_user_tables, rolled-back savepoints included); None elsewhere."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables")
        return dict(cursor.fetchall())


def changed_since(before, written_before):
    """The models whose rows differ from the snapshot `before`. Given `written_before` (`writes()`
    when the request began), only the tables written to since are read again: a request that
    wrote nothing costs one query instead of a read of every table. The comparison itself stays
    the snapshot's, so a write that changes nothing (a volatile column, a savepoint rolled back)
    is not a change."""
    only = None
    if written_before is not None:
        tables = {name for name, n in writes().items() if n != written_before.get(name, 0)}
        only = {label for label in before if apps.get_model(label)._meta.db_table in tables}
    after = snapshot(only)
    return sorted(k for k in after if before[k] != after[k])


def _request(client, method, page, data, before=None):
    """One request in a transaction rolled back afterwards, so every request meets the same
    world. With `before` (the world's snapshot), also returns the tables the request changed."""
    with transaction.atomic():
        mark = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        written = writes() if before is not None else None
        response = getattr(client, method)(page.url, data or {})
        response.denied = list(AuditEvent.objects.filter(pk__gt=mark, action="access_denied")
                               .values("actor_id", "ip", "detail", "workspace_id"))
        changed = None
        if before is not None:
            changed = changed_since(before, written)
        transaction.set_rollback(True)
    return response, changed


def _location(response):
    return response.get("Location", "")


def _is_login_redirect(response):
    return response.status_code == 302 and (
        _location(response).startswith("/accounts/login/") or _location(response).startswith("/portal/sign-in/"))


def _data(page, world, workspace):
    make = POST_DATA.get(page.name)
    return make(world, workspace) if make else {}


def _shows_a(response):
    content = getattr(response, "content", b"") if not getattr(response, "streaming", False) else b""
    return SECRET_MARK.encode() in content


def _check_intruder(client, page, world, workspace, *, anonymous=False, own_workspace=False):
    """Everyone but A (and A's owner on owner pages): 404, 405, a login redirect, or — on a
    page without ids — their own page; never A's data; no change.

    `own_workspace`: the visitor owns a workspace of their own, so a page without ids (a list,
    a settings form) is theirs and a POST there may change their own rows; pages with A's ids,
    and the switchers asked to switch into A's seat, must still change nothing."""
    problems = []
    before = world.snapshot
    for method in ("get", "post"):
        data = _data(page, world, workspace) if method == "post" else {}
        watch = method == "post" and (page.has_kwargs or page.name in POST_DATA or not own_workspace)
        response, changed = _request(client, method, page, data, before if watch else None)
        status = response.status_code
        if changed:
            problems.append(f"{method.upper()} {page.url} changed {changed}")
        if _shows_a(response):
            problems.append(f"{method.upper()} {page.url} showed A's data")
        if anonymous:
            # Sent to sign in; only a GET of a POST-only page may answer 405 instead.
            if not (_is_login_redirect(response) or (status == 405 and method == "get")):
                problems.append(f"{method.upper()} {page.url} → {status} {_location(response)} (anonymous)")
            continue
        if status == 404:
            problems += _unrecorded(client, method, page, response)
            continue
        if status == 405:
            continue
        if not page.has_kwargs and status in (200, 302, 400):
            continue  # their own list or form page (checked above for A's data)
        problems.append(f"{method.upper()} {page.url} → {status} {_location(response)}")
    return problems


def _unrecorded(client, method, page, response):
    """A page refused to someone signed in is in the audit log: who, what, from where (and when:
    the row's time). The address is the test client's."""
    user_id = int(client.session["_auth_user_id"])
    # An address with a text part (a slug, a key) is recorded by its pattern (accounts/audit.py).
    wanted = f"404 for {method.upper()} {f'/{page.route}' if re.search(r'<(?!int:)', page.route) else page.url}"
    if any(e["actor_id"] == user_id and e["ip"] == "127.0.0.1" and e["detail"] == wanted and e["workspace_id"]
           for e in response.denied):
        return []
    return [f"{method.upper()} {page.url} → 404 not in the audit log ({response.denied})"]


def _portal_path(path):
    return path.startswith("/portal/") and not path.startswith("/portal/owner/")


def _check_insider(client, page, world, workspace, *, portal):
    """A on portal pages, A's owner on owner pages: the page is theirs."""
    response, _ = _request(client, "get", page, {})
    status = response.status_code
    if status == 405:
        response, _ = _request(client, "post", page, _data(page, world, workspace))
        status = response.status_code
        if status == 404 and page.name in OWNER_EMPTY_POST_404:
            return []
        if status in (200, 400):
            return []
    if status == 200:
        return []
    if status == 302:
        target = _location(response)
        if _portal_path(target) == portal and not target.startswith("/portal/sign-in/") and \
                not target.startswith("/accounts/login/"):
            return []
    return [f"{response.request['REQUEST_METHOD']} {page.url} → {status} {_location(response)}"]


@pytest.fixture
def visitors(world, owner, outsider, freelancer_b):
    world.snapshot = snapshot()
    return {"A": client_for(world.freelancer.user), "owner": client_for(owner), "B": client_for(freelancer_b.user),
            "outsider": client_for(outsider), "anonymous": Client()}


def test_the_url_walk_covers_both_sides_and_every_kind_of_object(world):
    walked = pages(world)
    names = {p.name for p in walked}
    assert {"portal:brief_acknowledge", "portal:milestone_submit", "portal:grant_reveal", "portal:timesheet",
            "portal:owner_access", "engagements:detail", "payments:milestone_action", "freelancers:detail"} <= names
    # Every file download, on both sides.
    assert {"freelancers:sample_download", "engagements:submission_file", "engagements:attachment",
            "portal:submission_file", "portal:attachment"} <= names
    assert len([p for p in walked if p.portal_side]) >= 25
    assert len([p for p in walked if not p.portal_side]) >= 60


def test_only_freelancer_a_uses_the_portal_pages_of_a(world, visitors, workspace):
    problems = []
    for page in pages(world):
        if page.portal_side:
            problems += _check_insider(visitors["A"], page, world, workspace, portal=True)
        else:
            problems += [f"A: {p}" for p in _check_intruder(visitors["A"], page, world, workspace)
                         if not _dashboard_sends_freelancer_to_portal(page, p)]
    assert problems == []


def _dashboard_sends_freelancer_to_portal(page, problem):
    # A freelancer who opens the owner dashboard's home is sent to their portal (nothing shown).
    return page.name == "dashboard:home" and problem.startswith("GET / → 302 /portal/")


def test_only_the_owner_of_a_uses_the_owner_pages_and_has_no_portal(world, visitors, workspace):
    problems = []
    for page in pages(world):
        if page.portal_side:
            # An owner (no freelancer profile) has no portal at all, in any workspace.
            problems += [f"owner: {p}" for p in _check_intruder(visitors["owner"], page, world, workspace,
                                                            own_workspace=True)]
            response, _ = _request(visitors["owner"], "get", page, {})
            if response.status_code not in (404, 405):
                problems.append(f"owner: GET {page.url} → {response.status_code}")
        else:
            problems += _check_insider(visitors["owner"], page, world, workspace, portal=False)
    assert problems == []


def test_freelancer_b_of_the_same_workspace_gets_nothing_of_a(world, visitors, workspace):
    problems = []
    for page in pages(world):
        problems += [f"B: {p}" for p in _check_intruder(visitors["B"], page, world, workspace)
                     if not _dashboard_sends_freelancer_to_portal(page, p)]
    assert problems == []


def test_the_owner_of_another_workspace_gets_nothing_of_a(world, visitors, workspace):
    problems = []
    for page in pages(world):
        problems += [f"outsider: {p}" for p in _check_intruder(visitors["outsider"], page, world, workspace,
                                                               own_workspace=True)]
        if page.portal_side:
            response, _ = _request(visitors["outsider"], "get", page, {})
            if response.status_code not in (404, 405):
                problems.append(f"outsider: GET {page.url} → {response.status_code} (no portal for an owner)")
    assert problems == []


def test_an_anonymous_visitor_is_sent_to_sign_in(world, visitors, workspace):
    problems = []
    for page in pages(world):
        problems += [f"anonymous: {p}" for p in _check_intruder(visitors["anonymous"], page, world, workspace,
                                                                anonymous=True)]
    assert problems == []


def test_the_matrix_notices_a_leaky_page(world, visitors, workspace, settings):
    settings.ROOT_URLCONF = "portal.tests.leaky_urls"
    page = Page("leak", "leak/<int:pk>/", f"/leak/{world.engagement.pk}/", True)
    problems = _check_intruder(visitors["B"], page, world, workspace)
    assert any("showed A's data" in p for p in problems)
    assert any("changed ['engagements.Engagement']" in p for p in problems)
    assert any("→ 200" in p for p in problems)
