"""Status updates and messages carry their engagement's workspace, whichever way they are written
(the services, the portal's pages, a bare create, the bench's bulk insert), and never without it;
the search reads it, so another workspace's rows never appear, and on PostgreSQL its look among
the newest rows first gives exactly the newest matches (the plan: outsourcing/tests/test_query_plans.py)."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client

from engagements.models import Message, StatusUpdate
from engagements.selectors import search as search_module
from engagements.selectors.search import Scope, search
from engagements.services.conversation import message_post
from engagements.services.reporting import status_update_post

pytestmark = pytest.mark.django_db


def carry_their_workspace(model):
    rows = list(model.objects.select_related("engagement"))
    assert rows
    return all(row.workspace_id == row.engagement.workspace_id for row in rows)


def test_the_services_and_a_bare_create_set_the_workspace(active, owner, freelancer, foreign_engagement, outsider):
    status_update_post(engagement_id=active.pk, freelancer=freelancer, done="Logo drafts", next="Colours",
                       percent_complete=30)
    message_post(engagement=active, author=owner, body="Logo looks good")
    Message.objects.create(engagement=foreign_engagement, author_user=outsider, author_name="Oscar", body="Logo?")

    assert carry_their_workspace(StatusUpdate) and carry_their_workspace(Message)
    assert Message.objects.get(body="Logo?").workspace_id == foreign_engagement.workspace_id != active.workspace_id


def test_the_portals_pages_set_the_workspace(talking, freelancer_user):
    from portal.models import PortalAccess

    PortalAccess.objects.get_or_create(freelancer=talking.freelancer)
    client = Client()
    client.force_login(freelancer_user)
    client.post(f"/portal/engagements/{talking.pk}/updates/", {"done": "Header", "next": "Footer", "blockers": "",
                                                               "percent_complete": 20})
    client.post(f"/portal/engagements/{talking.pk}/messages/", {"body": "Fonts attached soon"})

    assert StatusUpdate.objects.get().workspace_id == talking.workspace_id
    assert Message.objects.get().workspace_id == talking.workspace_id


def test_the_bench_data_sets_the_workspace(db):
    from outsourcing.bench import data

    data.build(data.Sizes(workspaces=2, freelancers=10, engagements=20, milestones=40, status_updates=60,
                          notifications=10, messages=30, transactions=40, heavy_engagements=5), seed=5)

    assert carry_their_workspace(StatusUpdate) and carry_their_workspace(Message)


def test_a_row_without_its_workspace_is_refused(active, freelancer, owner):
    with pytest.raises(IntegrityError), transaction.atomic():
        StatusUpdate.objects.bulk_create([StatusUpdate(engagement=active, freelancer=freelancer, done="a", next="b",
                                                       percent_complete=1)])
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.bulk_create([Message(engagement=active, author_user=owner, author_name="O", body="b")])


def titles(results, kind):
    return [hit.id for hit in results.get(kind, [])]


def write(engagement, n, word, freelancer=None, owner=None):
    updates = [status_update_post(engagement_id=engagement.pk, freelancer=freelancer or engagement.freelancer,
                                  done=f"{word} round {i}", next="more", percent_complete=i) for i in range(n)]
    messages = [message_post(engagement=engagement, author=owner, body=f"{word} note {i}") for i in range(n)]
    return [u.pk for u in updates], [m.pk for m in messages]


@pytest.fixture
def small_window(monkeypatch):
    """Three newest rows looked at first, two candidates ranked: both reads of `_newest` with a
    handful of rows."""
    monkeypatch.setattr(search_module, "WINDOW", 3)
    monkeypatch.setattr(search_module, "CANDIDATES", 2)


@pytest.mark.parametrize("newest_elsewhere", [False, True])
def test_the_newest_matches_of_the_workspace_only(small_window, active, owner, foreign_engagement, outsider,
                                                  workspace, newest_elsewhere):
    mine_updates, mine_messages = write(active, 4, "logo", owner=owner)
    if newest_elsewhere:  # the table's newest rows all another workspace's, the same word in them
        StatusUpdate.objects.bulk_create([StatusUpdate(engagement=foreign_engagement,
                                                       workspace=foreign_engagement.workspace,
                                                       freelancer=foreign_engagement.freelancer, done="logo theirs",
                                                       next="x", percent_complete=1) for _ in range(5)])
        Message.objects.bulk_create([Message(engagement=foreign_engagement, workspace=foreign_engagement.workspace,
                                             author_user=outsider, author_name="Oscar", body="logo theirs")
                                     for _ in range(5)])

    found = search(q="logo", scope=Scope(workspace=workspace))

    newest = 2 if connection.vendor == "postgresql" else 4  # ranked among the newest CANDIDATES
    assert sorted(titles(found, "status_update")) == sorted(mine_updates[-newest:])
    assert sorted(titles(found, "message")) == sorted(mine_messages[-newest:])
    theirs = search(q="logo", scope=Scope(workspace=foreign_engagement.workspace))
    assert not set(titles(theirs, "status_update")) & set(mine_updates)
    assert not set(titles(theirs, "message")) & set(mine_messages)


@pytest.mark.postgres
def test_a_rare_word_still_finds_its_older_rows(small_window, active, owner, workspace):
    old_updates, old_messages = write(active, 1, "wireframe", owner=owner)
    write(active, 4, "logo", owner=owner)  # the newest rows: none has the word

    found = search(q="wireframe", scope=Scope(workspace=workspace))

    assert titles(found, "status_update") == old_updates and titles(found, "message") == old_messages
