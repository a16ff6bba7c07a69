"""Each beat sweep's due-row query, and the engagement and freelancer lists' main query, use their
index on PostgreSQL — read from the plan the planner really makes: thousands of rows not due
(the benchmark's own set-up at a small size), fresh statistics (ANALYZE), and the very SQL each
sweep runs (captured while it runs), not a query written again here. Nothing is forced
(enable_seqscan stays on)."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Workspace
from engagements.reminders import (
    acknowledgement_nudges,
    checkin_nudges,
    milestone_reminders,
    owner_digests,
    silence_detector,
    status_update_reminders,
)
from engagements.selectors import engagement_list
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
