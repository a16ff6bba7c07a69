"""The owner's dashboard reads a fixed number of queries however many rows it has: the home
page, the attention page, and the API's attention list and agenda, each counted at 2 and at 20
engagements that have every kind of row (attention items of every kind, money in escrow and
released, past 80 % of their budget, dates in the next 14 days)."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.kept import CACHE as KEPT
from accounts.tests.factories import PASSWORD
from api.models import ApiToken, TokenRole
from engagements.models import Engagement
from freelancers.models import FreelancerStatus
from freelancers.selectors import bench
from payments import services
from payments.selectors.attention import owner_attention
from payments.tests.conftest import fund, new_key, submit
from payments.tests.factories import EngagementFactory, FreelancerFactory, MilestoneFactory

from .test_home_dashboard import _populate

# Every page and API list of the issue's budget: at most 15 queries, the home page's dozen
# sections from five apps (attention's fourteen kinds, money, pipeline, agenda, charts, team,
# email delivery) included: the session, user and membership (3); attention, every kind's query
# with the snoozes a subquery of each, in one statement (accounts.together: 1); money (the
# totals; the budgets nearest their limit and the newest, with their figures: 4); the agenda (one
# UNION ALL: 1); the pipeline, money released per month and the on-time chart's freelancers in
# one statement (1), their on-time records (2) and the newest engagements' burn (1); the team,
# its invitations, the oldest stuck email and the worker's heartbeat in one statement (1); the
# bell (1). 37 before the third round of issue 14.
LIST_BUDGET = 15
HOME_BUDGET = 15
# The attention page: the session, user, membership, the attention kinds in one statement and the
# bell's count (16 when each kind was a query of its own).
ATTENTION_PAGE_BUDGET = 5


def _grow(workspace, owner, n, start):
    """n more engagements with every kind of row, half of them with money moved through the ledger."""
    _populate(workspace, n, start=start)
    for engagement in Engagement.objects.filter(workspace=workspace).order_by("-pk")[:n:2]:
        released = MilestoneFactory(engagement=engagement, amount=50_000)
        fund(released, owner)
        services.milestone_release(milestone=submit(released), actor=owner, idempotency_key=new_key())
        fund(MilestoneFactory(engagement=engagement, amount=40_000), owner)  # 90 % of 100,000: an alert


def _queries(client, path):
    caches[KEPT].clear()  # counted as built, not as kept (accounts/kept.py: test_kept_pages.py)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(ctx), response


@pytest.fixture
def api(owner, workspace):
    _, key = ApiToken.issue(user=owner, workspace=workspace, role=TokenRole.OWNER)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_dashboard_reads_as_many_queries_at_20_engagements_as_at_2(owner_client, api, workspace, owner):
    pages = [(owner_client, "/", HOME_BUDGET), (owner_client, "/attention/", ATTENTION_PAGE_BUDGET),
             (api, "/api/v1/attention/", 2), (api, "/api/v1/agenda/", 2)]  # the token, then one statement
    _grow(workspace, owner, 2, start=0)
    for client, path, _ in pages:
        _queries(client, path)  # warm the session
    small = {path: _queries(client, path)[0] for client, path, _ in pages}

    _grow(workspace, owner, 18, start=2)
    large = {path: _queries(client, path) for client, path, _ in pages}

    for client, path, budget in pages:
        assert large[path][0] == small[path] == budget, (path, small[path], large[path][0])
    # What was counted is what there is: every kind, ten budgets past 80 % among them (the money
    # they moved is activity: those ten engagements are no longer quiet).
    home = large["/"][1]
    every = owner_attention(workspace, user=owner, now=timezone.now())
    assert home.context["attention_total"] == len(every) == large["/api/v1/attention/"][1].json()["count"] == 120
    assert {i.kind for i in every} >= {"update_overdue", "silent", "milestone_overdue", "review_closing",
                                       "date_request", "brief_unacknowledged", "budget_alert"}
    assert sum(i.kind == "budget_alert" for i in every) == 10
    assert len(home.context["money"]["engagements"]) == 6
    assert home.context["agenda_total"] == 20 * 2 + 2  # check-ins, reviews closing, an interview per batch


def test_the_first_home_page_after_signing_in_reads_the_same_queries_at_20_engagements_as_at_2(
        client, workspace, owner):
    """Not warmed: the sign-in itself starts the idle clock (accounts.middleware), so the page
    after it writes no session row (3 statements more: what the bench counted when its sessions
    were made by force_login, which passes no request through the middleware)."""
    def first_home():
        client.logout()
        assert client.post("/accounts/login/", {"username": owner.email, "password": PASSWORD}).status_code == 302
        return _queries(client, "/")[0]

    _grow(workspace, owner, 2, start=0)
    small = first_home()
    _grow(workspace, owner, 18, start=2)
    assert first_home() == small == HOME_BUDGET


def test_the_pipeline_counts_stages_and_the_bench_in_one_query_as_the_bench_page_does(owner_client, workspace):
    approved = FreelancerStatus.APPROVED
    free, busy, done = (FreelancerFactory(workspace=workspace, status=approved) for _ in range(3))
    FreelancerFactory(workspace=workspace, status=approved, do_not_hire=True, do_not_hire_reason="No-show")
    FreelancerFactory(workspace=workspace, status=FreelancerStatus.VETTING)
    EngagementFactory(workspace=workspace, freelancer=busy, status="active")
    EngagementFactory(workspace=workspace, freelancer=done, status="completed")

    pipeline = owner_client.get("/").context["pipeline"]

    assert pipeline["bench"] == bench(workspace).count() == 2  # free, and the one whose work is done
    assert pipeline["total"] == 5
    assert {c["status"]: c["count"] for c in pipeline["columns"]}[approved] == 4
