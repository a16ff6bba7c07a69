"""The home page and the attention lists read in proportion to what they show: a fixed query
count is not enough (a query can return every row), so these count the rows fetched and the
items built, at 10 and at 1,000 engagements; and the page read from SQL is the page the whole
list, built in Python, would give."""

from contextlib import contextmanager

import pytest
from django.db import connection
from django.utils import timezone

import accounts.attention
from engagements.services.attention import attention_snooze
from payments.selectors.attention import owner_attention, owner_attention_page
from payments.selectors.balances import budget_figures_for, committed_by_engagement
from payments.selectors.dashboard import budgets_nearest_limit, engagement_money
from payments.tests.conftest import fund
from payments.tests.factories import EngagementFactory, MilestoneFactory

from ..dashboard import ATTENTION_SHOWN, BUDGETS_SHOWN
from .test_home_dashboard import _populate

BUILD = accounts.attention.AttentionItem.__init__


@contextmanager
def counting(monkeypatch):
    """{"rows": rows fetched by SELECTs (PostgreSQL's row count), "items": AttentionItems built}."""
    seen = {"rows": 0, "items": 0}
    def init(self, *args, **kwargs):
        seen["items"] += 1
        BUILD(self, *args, **kwargs)

    def wrapper(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.lstrip().upper().startswith("SELECT") and (context["cursor"].rowcount or 0) > 0:
            seen["rows"] += context["cursor"].rowcount
        return result

    monkeypatch.setattr(accounts.attention.AttentionItem, "__init__", init)
    with connection.execute_wrapper(wrapper):
        yield seen


def _home_attention_and_money(workspace, user):
    """What the home page reads for its attention list and budget bars."""
    now = timezone.now()
    items, total = owner_attention_page(workspace, user=user, now=now, limit=ATTENTION_SHOWN)
    budgets = budgets_nearest_limit(workspace, limit=BUDGETS_SHOWN)
    return items, total, budgets


@pytest.mark.postgres  # counts the rows PostgreSQL returns
def test_the_home_page_fetches_as_many_rows_at_1000_engagements_as_it_shows(owner_client, workspace, owner,
                                                                             monkeypatch):
    _populate(workspace, 10)
    with counting(monkeypatch) as ten:
        assert _home_attention_and_money(workspace, owner)[1] == 60
    _populate(workspace, 990, start=10)
    with counting(monkeypatch) as thousand:
        items, total, budgets = _home_attention_and_money(workspace, owner)
    assert total == 6000 and len(items) == 15 and len(budgets) == 6
    # Six kinds, at most 15 items each (a row of the update query makes two): 55 at 10
    # engagements, 75 at 1,000; it was 6,000 items and more than 10,000 rows.
    assert ten["items"] <= 6 * 15 and thousand["items"] <= 6 * 15
    assert thousand["rows"] <= ten["rows"] + 60, (ten, thousand)
    response = owner_client.get("/")
    assert response.context["attention_total"] == 6000 and len(response.context["attention"]) == 15


def test_the_attention_page_is_the_whole_list_cut_in_pages_snoozes_left_out(owner_client, workspace, owner):
    _populate(workspace, 12)
    for key in [i.key for i in owner_attention(workspace, user=owner, now=timezone.now())[3:30:4]]:
        attention_snooze(user=owner, workspace=workspace, key=key)
    whole = [i.key for i in owner_attention(workspace, user=owner, now=timezone.now())]
    pages = []
    for number in (1, 2):
        response = owner_client.get(f"/attention/?page={number}")
        assert response.context["page"].paginator.count == len(whole) == 65
        pages += [item.key for item in response.context["page"].object_list]
    assert pages == whole


def test_the_budgets_shown_are_the_nearest_their_limit_as_the_ledger_says(owner_client, workspace, owner):
    # Committed 0 %, 50 %, exactly 80 % (no alert), 81 %, 110 %, and money on a budget set to 0.
    for percent in (0, 50, 80, 81, 110, 30, 95):
        engagement = EngagementFactory(workspace=workspace, budget=1_000_000)
        if percent:
            fund(MilestoneFactory(engagement=engagement, amount=percent * 10_000), owner)
    zero = EngagementFactory(workspace=workspace, budget=1_000_000)
    fund(MilestoneFactory(engagement=zero, amount=5_000), owner)
    type(zero).objects.filter(pk=zero.pk).update(budget=0)

    rows = engagement_money(workspace)
    expected = sorted(rows, key=lambda row: (not row.alert, -row.percent_committed))[:6]
    shown = owner_client.get("/").context["money"]["engagements"]
    assert [row.engagement.pk for row in shown] == [row.engagement.pk for row in expected]

    figures = budget_figures_for([row.engagement for row in rows])
    in_sql = committed_by_engagement(type(rows[0].engagement).objects.filter(workspace=workspace))
    assert len(in_sql) == 7
    for row in in_sql:
        f = figures[row["engagement"]]
        assert (row["committed"], row["percent_committed"], row["alert"]) == (f.committed, f.percent_committed,
                                                                              f.alert)
    assert sorted(f.percent_committed for f in figures.values() if f.alert) == [81, 95, 100, 110]

    alerts = [i.key for i in owner_attention(workspace, user=owner, now=timezone.now()) if i.kind == "budget_alert"]
    assert len(alerts) == 4
    attention_snooze(user=owner, workspace=workspace, key=alerts[0])
    items, total = owner_attention_page(workspace, user=owner, now=timezone.now(), limit=2)
    assert total == 3 and alerts[0] not in [i.key for i in items]


def test_snoozing_one_of_an_engagements_two_items_keeps_the_other_and_the_page_full(workspace, owner):
    """An engagement both late with its update and gone quiet makes two items; the snoozes are read
    inside the query (a subquery), so one snoozed leaves the other, and a row with both snoozed
    does not take the place of a shown one."""
    _populate(workspace, 20)
    now = timezone.now()
    every = owner_attention(workspace, user=owner, now=now)
    late = [i for i in every if i.kind == "update_overdue"]
    assert len(late) == 20 and {i.kind for i in every} >= {"silent"}
    for item in late[:19]:
        attention_snooze(user=owner, workspace=workspace, key=f"silent:{item.engagement}")
        attention_snooze(user=owner, workspace=workspace, key=item.key)
    attention_snooze(user=owner, workspace=workspace, key=late[19].key)  # its silence stays

    left = owner_attention(workspace, user=owner, now=now)
    assert len(left) == len(every) - 39
    assert [i.key for i in left if i.kind in ("update_overdue", "silent")] == [f"silent:{late[19].engagement}"]
    page, total = owner_attention_page(workspace, user=owner, now=now, limit=ATTENTION_SHOWN)
    assert total == len(left) and [i.key for i in page] == [i.key for i in left[:ATTENTION_SHOWN]]
