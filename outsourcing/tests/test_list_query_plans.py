"""The search box, the inbox, the bell and the engagement list's at-risk figures read through
their indexes on PostgreSQL — read from the plan the planner really makes for the very SQL each
runs (captured while it runs), on the benchmark's own data set at a small size with fresh
statistics. Nothing is forced (enable_seqscan stays on)."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import User, Workspace
from engagements.selectors import engagement_counts, engagement_list
from engagements.selectors.search import Scope, search
from notifications.selectors import inbox, inbox_unread_count
from outsourcing.bench import data
from payments.selectors import workspace_overview

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

# The benchmark's freelancers and engagements (a name search reads its trigram index only when a
# workspace has thousands; below, its workspace's rows are fewer than the index's pages), fewer of
# the rest.
SIZES = data.Sizes(workspaces=3, freelancers=2000, engagements=10_000, milestones=12_000, status_updates=30_000,
                   notifications=10_000, messages=6000, transactions=12_000, heavy_engagements=100)

# kind's table, the index its matches are found through
# (A workspace's freelancers are a few thousand rows at most: there the planner may read them by
# workspace or through freelancer_search / freelancer_name_trgm, a few ms either way; not asserted.)
DOCUMENT_INDEXES = [
    ("engagements_milestone", "milestone_search"),
    ("engagements_brief", "brief_search"),
    ("engagements_statusupdate", "statusupdate_ws_search"),
    ("engagements_message", "message_ws_search"),
]
# Engagements likewise: the searched workspace holds 9,000 of the set's 10,000, and the planner
# read them by workspace in one run and through engagement_search / engagement_title_trgm in
# another (CI, the same data and statistics); not asserted.
NAME_INDEXES = []


@pytest.fixture(scope="module")
def bench_set(django_db_setup, django_db_blocker):
    """Built once for the module, in a transaction rolled back after its last test (each test's
    own transaction nests inside it)."""
    with django_db_blocker.unblock(), transaction.atomic():
        data.build(SIZES)  # ends with ANALYZE
        yield Workspace.objects.get(slug="bench-0")
        transaction.set_rollback(True)


def plan(sql):
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def captured(run):
    with CaptureQueriesContext(connection) as queries:
        run()
    return [q["sql"] for q in queries if q["sql"].startswith("SELECT")]


def test_every_kind_of_search_finds_its_matches_through_its_gin_indexes(db, bench_set):
    # Rare words. (For a word in half the rows, as the benchmark's "logo", reading the workspace's
    # rows and filtering them costs the planner about what the index does; it chose either way
    # from one run to the next, so that choice is not asserted.)
    for q in ("photography newsletter",):
        statements = captured(lambda q=q: search(q=q, scope=Scope(workspace=bench_set)))
        misses = []
        for table, index in DOCUMENT_INDEXES + NAME_INDEXES:
            sql = next(s for s in statements if s.split(" WHERE ")[0].endswith(f'FROM "{table}"')
                       or f'FROM "{table}" INNER JOIN' in s.split(" WHERE ")[0])
            text = plan(sql)
            if index not in text:
                misses.append(f"q={q!r}: {table}'s search does not use {index}:\n{text}")
        assert not misses, "\n\n".join(misses)


def test_the_inbox_page_and_the_bell_read_through_their_indexes(db, bench_set):
    owner = User.objects.get(email=data.MAIN_OWNER_EMAIL)
    [page] = captured(lambda: list(inbox(user=owner, workspace=bench_set)[:30]))
    page = plan(page)
    assert "notification_recent" in page and "Seq Scan on notifications_notification" not in page, page

    # Someone with few notices among thousands: the bell finds theirs by address or by user.
    manager = User.objects.get(email="bench-manager-0@bench.example")
    [bell] = captured(lambda: inbox_unread_count(user=manager, workspace=bench_set, up_to=100))
    text = plan(bell)
    assert "notification_unread" in text and "notification_unread_user" in text, text


def test_the_at_risk_count_reads_overdue_milestones_from_their_index(db, bench_set):
    [counts] = captured(lambda: engagement_counts(bench_set))
    text = plan(counts)
    assert "milestone_open_by_engagement" in text, text


def test_the_engagement_lists_overdue_flags_are_read_per_row_shown(db, bench_set):
    # Not a hash of every overdue open milestone in the database (milestone_due) for 25 rows.
    [page] = captured(lambda: list(engagement_list(bench_set)[:25]))
    text = plan(page)
    assert "milestone_open_by_engagement" in text and "milestone_due" not in text, text


def test_the_money_pages_open_disputes_are_found_by_key_not_by_scanning_the_milestones(db, bench_set):
    statements = captured(lambda: workspace_overview(bench_set))
    [disputes] = [s for s in statements if s.split(" FROM ")[1].startswith('"payments_dispute"')]
    text = plan(disputes)
    assert "Seq Scan on engagements_milestone" not in text and "engagements_milestone_pkey" in text, text
