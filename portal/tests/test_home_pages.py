"""The portal home at any size: what it shows first is what building every item would show first,
the counts are of everything, the cards and the finished engagements come a page at a time, and
another freelancer's engagements never appear."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from engagements.services import conversation, lifecycle
from portal.attention import freelancer_agenda, freelancer_attention
from portal.views import home

from .conftest import start_engagement
from .test_attention import _busy, _funded

pytestmark = pytest.mark.django_db


def _home(client, path="/portal/"):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return response, len(ctx)


def test_the_home_shows_the_first_items_of_everything_and_counts_them_all(
        workspace, owner, freelancer_a, client_a, monkeypatch):
    monkeypatch.setattr(home, "ATTENTION_SHOWN", 6)
    monkeypatch.setattr(home, "AGENDA_SHOWN", 5)
    _busy(workspace, owner, freelancer_a, 8, 0)
    every_item = freelancer_attention(freelancer_a)
    every_date = freelancer_agenda(freelancer_a)
    response, _ = _home(client_a)
    front = response.context["home"]

    assert [i.key for i in front.attention] == [i.key for i in every_item[:6]]
    assert front.attention_total == len(every_item) > 6
    assert [(a.at, a.title) for a in front.agenda] == [(a.at, a.title) for a in every_date[:5]]
    assert front.agenda_total == len(every_date) > 5
    page = response.content.decode()
    assert f"The 6 most urgent of {len(every_item)}" in page
    assert f"The soonest 5 of {len(every_date)}" in page


def test_the_cards_come_a_page_at_a_time_in_the_lists_order(workspace, owner, freelancer_a, client_a, monkeypatch):
    monkeypatch.setattr(home, "CARDS_PER_PAGE", 4)
    for n in range(9):
        e = start_engagement(workspace, owner, freelancer_a, title=f"Job {n}", milestones=["Kickoff"])
        if n == 4:
            due = _funded(e, owner, title="Next up", due_in_days=3)
    _home(client_a)  # warm the session and portal stamps
    first, _ = _home(client_a)
    second, small = _home(client_a, "/portal/?page=2")
    third, _ = _home(client_a, "/portal/?page=3")
    titles = [[c.engagement.title for c in r.context["cards"].object_list] for r in (first, second, third)]

    # The latest offered first, four a page, every one once.
    assert titles == [["Job 8", "Job 7", "Job 6", "Job 5"], ["Job 4", "Job 3", "Job 2", "Job 1"], ["Job 0"]]
    assert first.context["cards"].paginator.count == 9
    card = second.context["cards"].object_list[0]
    assert card.next_milestone.pk == due.pk and card.next_milestone.title == "Next up"
    assert f'href="/portal/engagements/{card.engagement.pk}/milestones/{due.pk}/"' in second.content.decode()
    for n in range(9, 30):
        start_engagement(workspace, owner, freelancer_a, title=f"Job {n}", milestones=["Kickoff"])
    _, large = _home(client_a, "/portal/?page=2")
    assert large == small <= 15


def test_the_finished_engagements_are_the_latest_few_counted_in_all(
        workspace, owner, freelancer_a, client_a, monkeypatch):
    monkeypatch.setattr(home, "FINISHED_SHOWN", 2)
    for n in range(4):
        e = start_engagement(workspace, owner, freelancer_a, title=f"Done {n}", milestones=["Kickoff"])
        lifecycle.engagement_complete(engagement=e, actor=owner)
    response, _ = _home(client_a)
    assert [e.title for e in response.context["finished"]] == ["Done 3", "Done 2"]
    assert "The latest 2 of 4" in response.content.decode()


def test_another_freelancers_work_never_shows(workspace, owner, freelancer_a, freelancer_b, client_a, client_b):
    mine = start_engagement(workspace, owner, freelancer_a, title="Mine", milestones=["Kickoff"])
    theirs = start_engagement(workspace, owner, freelancer_b, title="Theirs", milestones=["Kickoff"])
    for e in (mine, theirs):
        _funded(e, owner, title=f"Due on {e.title}", due_in_days=1)
        conversation.message_post(engagement=e, author=owner, body="Hi")
    response, _ = _home(client_a)
    front = response.context["home"]
    assert {i.engagement.pk for i in front.attention} == {mine.pk}
    assert {a.engagement.pk for a in front.agenda} == {mine.pk}
    assert [c.engagement.pk for c in front.cards.object_list] == [mine.pk]
    every_item, every_date = freelancer_attention(freelancer_a), freelancer_agenda(freelancer_a)
    assert {i.engagement.pk for i in every_item} == {a.engagement.pk for a in every_date} == {mine.pk}
    assert front.attention_total == len(every_item) >= 2 and front.agenda_total == len(every_date) >= 1
    page = response.content.decode()
    assert "Theirs" not in page and "Due on Mine" in page
    assert "Mine" not in client_b.get("/portal/").content.decode()
