"""Each beat sweep's due-row query, the engagement and freelancer lists' main query, and the search
of status updates and messages use their index on PostgreSQL — read from the plan the planner
really makes: thousands of rows not due (the benchmark's own set-up at a small size), fresh
statistics (ANALYZE), and the very SQL each sweep runs (captured while it runs), not a query
written again here. Nothing is forced (enable_seqscan stays on)."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Workspace
from engagements.models import Engagement, Message, StatusUpdate
from engagements.reminders import (
    acknowledgement_nudges,
    checkin_nudges,
    milestone_reminders,
    owner_digests,
    silence_detector,
    status_update_reminders,
)
from engagements.selectors import engagement_list
from engagements.selectors.search import Scope, search
from freelancers.models import Freelancer
from freelancers.selectors import Filters, freelancer_search
from notifications.services import outbox_recover
from outsourcing.bench import sweeps_data
from payments.reminders.auto_release import auto_release_due, timesheets_auto_approve
from payments.reminders.review_warnings import review_window_warnings

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

ENGAGEMENTS, DUE = 4000, 20

# sweep, a fragment only its due-row query has, the index it must use
SWEEPS = [
    (status_update_reminders, '"update_reminder_at" <=', "engagement_update_ladder"),
    (silence_detector, '"quiet_check_at" <=', "engagement_quiet_check"),
    (checkin_nudges, '"engagements_checkin"."nudge_at" <=', "checkin_nudge_due"),
    (checkin_nudges, '"checkin_nudge_at" <=', "engagement_checkin_nudge"),
    (milestone_reminders, '"due_reminder_at" <=', "milestone_due_reminder"),
    (acknowledgement_nudges, '"ack_nudge_at" <=', "brief_ack_nudge"),
    (review_window_warnings, '"review_deadline_at" >', "milestone_review_due"),
    (auto_release_due, '"review_deadline_at" <=', "milestone_review_due"),
    (timesheets_auto_approve, '"approval_deadline_at" <=', "timesheet_approval_due"),
    (outbox_recover, '"enqueued_at" IS NULL', "notification_in_flight"),
    (owner_digests, '"next_digest_at" <=', "workspace_digest_due"),
]


@pytest.fixture(scope="module")
def busy_database(django_db_setup, django_db_blocker):
    """The sweeps benchmark's set at 4,000 engagements, 20 due per sweep, 3,000 freelancers and 4,000
    other workspaces whose digest is tomorrow; statistics fresh, as autovacuum keeps them. Built
    once for the module, in a transaction rolled back after its last test."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_busy()
        transaction.set_rollback(True)


def _build_busy():
    now = timezone.now()
    built = sweeps_data.build(engagements=ENGAGEMENTS, due=DUE, freelancers=3000, now=now)
    Workspace.objects.bulk_create([Workspace(name=f"Other {i}", slug=f"other-{i}",
                                             next_digest_at=now + timedelta(hours=6 + i % 12))
                                   for i in range(4000)])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return built


def plan(sql):
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def due_query(sweep, fragment):
    with CaptureQueriesContext(connection) as queries:
        sweep()
    found = [q["sql"] for q in queries if q["sql"].startswith("SELECT") and fragment in q["sql"]]
    assert found, f"{sweep.__name__} ran no query with {fragment!r}"
    return found[0]


def test_each_sweeps_due_row_query_uses_its_partial_index(db, busy_database):
    # One data set for all of them (building it is most of the time); every miss is reported.
    misses = []
    for sweep, fragment, index in SWEEPS:
        text = plan(due_query(sweep, fragment))
        if index not in text:
            misses.append(f"{sweep.__name__}'s due-row query does not use {index}:\n{text}")

    assert not misses, "\n\n".join(misses)


def test_the_engagement_and_freelancer_lists_pages_are_read_through_their_index(db, busy_database):
    workspace = Workspace.objects.get(pk=busy_database.workspace_id)

    engagements = engagement_list(workspace)[:25].explain()
    freelancers = freelancer_search(workspace, Filters())[:25].explain()

    assert "Seq Scan on engagements_engagement" not in engagements, engagements
    assert "engagement_ws_recent" in engagements, engagements
    assert "Seq Scan on freelancers_freelancer" not in freelancers, freelancers
    assert "freelancer_ws_name" in freelancers, freelancers


def test_the_search_reads_status_updates_and_messages_through_their_workspace_index(db, busy_database):
    # 20,000 updates and 5,000 messages, a word in every third: the search's own SQL, planned on
    # fresh statistics, reads them through (workspace, key, words), with no join for the workspace.
    workspace = Workspace.objects.get(pk=busy_database.workspace_id)
    engagements = list(Engagement.objects.filter(workspace=workspace).values_list("pk", "freelancer_id")[:2000])
    words = ["logo", "landing", "video"]
    StatusUpdate.objects.bulk_create([
        StatusUpdate(engagement_id=e, workspace=workspace, freelancer_id=f, done=f"{words[i % 3]} drafts",
                     next=f"{words[i // 3 % 3]} review", percent_complete=i % 100)
        for i in range(20_000) for e, f in [engagements[i % len(engagements)]]], batch_size=5000)
    Message.objects.bulk_create([
        Message(engagement_id=e, workspace=workspace, author_name="Owner", body=f"The {words[i % 3]} is due")
        for i in range(5000) for e, _ in [engagements[i % len(engagements)]]], batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE engagements_statusupdate")
        cursor.execute("ANALYZE engagements_message")

    with CaptureQueriesContext(connection) as queries:
        found = search(q="logo", scope=Scope(workspace=workspace))

    assert len(found["status_update"]) == 10 and len(found["message"]) == 10
    for table, index in (("engagements_statusupdate", "statusupdate_ws_search"),
                         ("engagements_message", "message_ws_search")):
        sql = next(q["sql"] for q in queries if q["sql"].startswith(f'SELECT "{table}"'))
        text = plan(sql)
        # The matches come from the index, the workspace and the window of newest keys among its
        # conditions (the rows then read by key are at most the candidates).
        assert f"Bitmap Index Scan on {index}" in text and "(workspace_id = '" in text and "(id >= $" in text, text
        assert "\"engagements_engagement\".\"workspace_id\" =" not in sql  # the row's own workspace, no join


def test_the_search_reads_engagements_and_freelancers_candidates_by_key(db, busy_database):
    # "logo" in every tenth of the 4,000 engagements' titles and 3,000 freelancers' names: the
    # newest 200 matches ("U0", the candidates' read) are found once, then only they are read,
    # by primary key, to be ranked: no scan or hash of the workspace's rows to join them.
    workspace = Workspace.objects.get(pk=busy_database.workspace_id)
    for model, field in ((Engagement, "title"), (Freelancer, "name")):
        keys = list(model.objects.filter(workspace=workspace).values_list("pk", flat=True)[::10])
        model.objects.filter(pk__in=keys).update(**{field: Concat(Value("Logo refresh "), Cast("pk", CharField()))})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE engagements_engagement")
        cursor.execute("ANALYZE freelancers_freelancer")

    with CaptureQueriesContext(connection) as queries:
        found = search(q="logo", scope=Scope(workspace=workspace))

    assert len(found["engagement"]) == 10 and len(found["freelancer"]) == 10
    for table in ("engagements_engagement", "freelancers_freelancer"):
        sql = next(q["sql"] for q in queries if q["sql"].startswith(f'SELECT "{table}"'))
        text = plan(sql)
        assert f"Index Scan using {table}_pkey on {table}  " in text and "(id = ANY ($0))" in text, text
        assert "Hash" not in text, text
        assert not [line for line in text.splitlines() if f"Scan on {table} " in line and '"U0"' not in line
                    and "_pkey" not in line], text
