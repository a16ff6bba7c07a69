"""The owner's attention kinds join what the page shows only to the rows it shows, in the plan
PostgreSQL really makes over the benchmark's own data set at a small size with fresh statistics:
the due milestones are chosen over narrow rows and only the first few joined to their
engagement's freelancer (accounts.attention.cut_before_joining), and the open disputes find
their workspace through their milestone's key instead of hashing every milestone."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.attention import AttentionWindow
from accounts.models import Workspace
from engagements.selectors.attention import _milestones, snoozed_keys
from outsourcing.bench import data
from payments.selectors.attention import _disputes

from .test_home_plans import SIZES

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

SHOWN = 15


def _analyzed(read, *, settings=""):
    """The plan (EXPLAIN ANALYZE, as JSON) of the one query `read()` sends, and what it returned."""
    with CaptureQueriesContext(connection) as ctx:
        items, total = read()
    [sql] = [q["sql"] for q in ctx.captured_queries]
    with connection.cursor() as cursor:
        if settings:
            cursor.execute(settings)
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
        [[plan]] = cursor.fetchall()
    plan = plan if isinstance(plan, list) else json.loads(plan)
    return plan[0]["Plan"], items, total


def _nodes(node):
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


def _relations(node):
    return {n.get("Relation Name") for n in _nodes(node)} - {None}


@pytest.fixture
def main():
    data.build(SIZES, seed=3)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return Workspace.objects.get(slug="bench-0")


def _window(workspace, now):
    owner = workspace.memberships.order_by("pk").first().user
    return AttentionWindow(limit=SHOWN, hidden=snoozed_keys(user=owner, workspace=workspace, now=now, query=True))


def test_only_the_milestones_shown_are_joined_to_their_freelancers(main):
    now = timezone.now()
    window = _window(main, now)
    plan, items, total = _analyzed(lambda: _milestones(main, now, window))
    assert len(items) == SHOWN < total
    joins = [n for n in _nodes(plan) if "Join" in n["Node Type"] or n["Node Type"] == "Nested Loop"]
    with_freelancers = [n for n in joins if "freelancers_freelancer" in _relations(n)]
    assert with_freelancers
    for node in with_freelancers:
        assert node["Actual Rows"] * node["Actual Loops"] <= SHOWN, node["Node Type"]


def test_open_disputes_look_their_milestones_up_by_key(main):
    now = timezone.now()
    window = _window(main, now)
    # Random reads priced as the bench's 50,000 milestones made them look (the small set here
    # has the planner look 789 milestones up by key either way): a join of the disputes to
    # their milestones for the workspace is then a hash of every milestone; the key lookup is
    # the form of the query, not the planner's choice.
    plan, items, total = _analyzed(lambda: _disputes(main, now, window), settings="SET LOCAL random_page_cost = 40")
    assert items and total
    for node in _nodes(plan):
        if node.get("Relation Name") == "engagements_milestone":
            assert node["Node Type"] == "Index Scan" and node["Index Name"] == "engagements_milestone_pkey", node
