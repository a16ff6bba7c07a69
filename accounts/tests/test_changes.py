"""Change marks (accounts/changes.py): every committed write to a workspace's rows moves its
mark, whatever wrote it; a write that rolled back, or one to another workspace, does not; no
two transactions wait on a mark; a mark never comes back."""

import threading

import pytest
from django.db import connection, connections, transaction

from accounts import changes
from accounts.models import Membership, WorkspaceChange
from accounts.tests.factories import UserFactory
from engagements.models import Milestone, StatusUpdate
from payments.tests.factories import EngagementFactory, MilestoneFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def mark(workspace):
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + changes.mark_sql("%s"), [workspace.pk])
        return cursor.fetchone()[0]


@pytest.fixture
def two(db):
    first, second = EngagementFactory(), EngagementFactory()
    assert first.workspace_id != second.workspace_id
    return first, second


def test_every_kind_of_write_moves_the_mark_of_its_own_workspace_only(two):
    engagement, other = two
    milestone = MilestoneFactory(engagement=engagement)
    seen = {mark(engagement.workspace)}
    other_mark = mark(other.workspace)

    def moved():
        now = mark(engagement.workspace)
        assert now not in seen
        seen.add(now)

    engagement.title = "Renamed"
    engagement.save()  # the ORM's save
    moved()
    with connection.cursor() as cursor:  # raw SQL, two links away from the workspace
        cursor.execute("UPDATE engagements_milestone SET title = 'Raw' WHERE id = %s", [milestone.pk])
    moved()
    StatusUpdate.objects.bulk_create([StatusUpdate(engagement=engagement, workspace=engagement.workspace,
                                                   freelancer=engagement.freelancer, done="Bulk", next="More",
                                                   percent_complete=10)])
    moved()
    Milestone.objects.filter(pk=milestone.pk).delete()
    moved()
    assert mark(other.workspace) == other_mark


def test_a_rolled_back_write_leaves_the_mark_and_a_transaction_keeps_one_row(two):
    engagement, _ = two
    before = mark(engagement.workspace)
    with pytest.raises(RuntimeError), transaction.atomic():
        engagement.title = "Never"
        engagement.save()
        raise RuntimeError
    assert mark(engagement.workspace) == before
    rows_before = WorkspaceChange.objects.count()
    with transaction.atomic():
        for title in ("One", "Two", "Three"):
            engagement.title = title
            engagement.save()
    assert mark(engagement.workspace) != before
    assert WorkspaceChange.objects.count() <= rows_before + 1  # this connection's row, at most one new


def test_two_transactions_writing_one_workspace_never_wait_on_its_mark(two):
    engagement, _ = two
    sibling = EngagementFactory(workspace=engagement.workspace)
    first_wrote, second_done, errors = threading.Event(), threading.Event(), []

    def first():
        try:
            with transaction.atomic():
                type(engagement).objects.filter(pk=engagement.pk).update(title="First")
                first_wrote.set()
                second_done.wait(10)  # holds its transaction open while the second writes
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connections.close_all()

    def second():
        try:
            first_wrote.wait(10)
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '500ms'")  # a wait would fail it
                type(sibling).objects.filter(pk=sibling.pk).update(title="Second")
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            second_done.set()
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert errors == []
    rows = WorkspaceChange.objects.filter(workspace_id=engagement.workspace_id)
    assert rows.values("backend").distinct().count() >= 2  # each backend wrote its own row


def test_folding_the_rows_of_gone_backends_moves_the_mark_once_and_never_back(two):
    engagement, _ = two
    WorkspaceChange.objects.create(workspace_id=engagement.workspace_id, backend=2**31 - 1, mark=1)  # no such backend
    before = mark(engagement.workspace)
    assert changes.prune_marks() >= 1
    after = mark(engagement.workspace)
    assert after != before
    assert not WorkspaceChange.objects.filter(backend=2**31 - 1).exists()
    assert WorkspaceChange.objects.filter(workspace_id=engagement.workspace_id, backend=0).exists()
    assert changes.prune_marks() == 0 and mark(engagement.workspace) == after


def test_every_table_with_a_way_to_its_workspace_is_watched_and_installing_again_changes_nothing():
    tracked = changes.tracked_tables()
    watched = changes.watched_tables()
    assert set(watched) == set(tracked) | {"accounts_user"}
    assert {"engagements_engagement", "engagements_milestone", "payments_entry", "engagements_attentionsnooze",
            "freelancers_freelancer"} <= set(tracked)
    # The running totals are written only with the entries they sum: no triggers of their own.
    assert changes.followers() == dict.fromkeys(
        ("payments_committedtotal", "payments_ledgertotal", "payments_monthtotal"), "payments_entry")
    assert not set(changes.followers()) & set(watched)
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgrelid::regclass::text, count(*) FROM pg_trigger WHERE tgname LIKE %s "
                       "GROUP BY 1", [changes.PREFIX + "%"])
        triggers = dict(cursor.fetchall())
    assert {table: triggers.get(table) for table in watched} == dict.fromkeys(watched, 3)
    assert not set(changes.followers()) & set(triggers)
    assert changes.install() is False
    # An owner's signature has no freelancer: the chain that cannot be empty is taken.
    assert [f.name for f in tracked["engagements_agreementsignature"]] == ["agreement", "engagement", "workspace"]


def test_a_persons_change_moves_the_marks_of_the_workspaces_they_belong_to(two):
    engagement, other = two
    member = UserFactory()
    Membership.objects.create(user=member, workspace=engagement.workspace, role="manager")
    before, other_before = mark(engagement.workspace), mark(other.workspace)
    member.full_name = "Renamed Person"
    member.save()
    assert mark(engagement.workspace) != before
    assert mark(other.workspace) == other_before
