"""The home page's money reads use the indexes made for them on PostgreSQL, in the plan the
planner really makes over the benchmark's own data set at a small size with fresh statistics:
this month's movements of a workspace through `ledger_tx_workspace_time` (not a scan of its
whole ledger), a small workspace's escrow and payable balances through the ledger totals'
workspace index (not a scan of every workspace's totals); the budget alerts and the budgets
nearest their limit from the committed totals (a row per engagement), never the ledger totals."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Workspace
from engagements.selectors.agenda import owner_agenda_page
from outsourcing.bench import data
from payments.models import CommittedTotal, LedgerTotal
from payments.selectors.attention import money_attention, owner_attention_page
from payments.selectors.dashboard import currency_totals, home_budgets
from payments.services.totals import committed_from_totals, totals_from_entries

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

SIZES = data.Sizes(workspaces=12, freelancers=300, engagements=3000, milestones=12_000, status_updates=100,
                   notifications=100, messages=100, transactions=20_000, heavy_engagements=50)


def _plan(sql):
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def _money_query(workspace):
    """The one statement of currency_totals: the balances and this month's movements, a UNION ALL."""
    with CaptureQueriesContext(connection) as ctx:
        currency_totals(workspace, now=timezone.now())
    [sql] = [q["sql"] for q in ctx.captured_queries]
    return sql


def test_a_workspaces_money_reads_its_indexes_and_the_totals_are_the_entries_summed():
    data.build(SIZES, seed=3)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    small = Workspace.objects.exclude(slug="bench-0").order_by("pk").first()
    plan = _plan(_money_query(small))
    assert "Seq Scan on payments_ledgertotal" not in plan and "Index Cond: (workspace_id = " in plan, plan
    main = Workspace.objects.get(slug="bench-0")
    assert "ledger_tx_workspace_time" in _plan(_money_query(main))
    # The set was loaded in bulk, past post(): its totals were summed from its entries.
    kept = {(t.engagement_id, t.currency, t.account_kind, t.transaction_kind): t.amount
            for t in LedgerTotal.objects.all()}
    assert kept and kept == {(t.engagement_id, t.currency, t.account_kind, t.transaction_kind): t.amount
                             for t in totals_from_entries()}


def _statements(read):
    with CaptureQueriesContext(connection) as ctx:
        read()
    return [q["sql"] for q in ctx.captured_queries]


def test_budgets_read_the_committed_totals_not_the_ledger_totals():
    data.build(SIZES, seed=3)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    main = Workspace.objects.get(slug="bench-0")
    # Loaded in bulk and rebuilt: a row per engagement and currency, the ledger totals' committed kinds summed.
    assert ({(t.engagement_id, t.currency): t.amount for t in CommittedTotal.objects.all()}
            == {(t.engagement_id, t.currency): t.amount for t in committed_from_totals(LedgerTotal.objects.all())})
    alerts = _statements(lambda: money_attention(main, now=timezone.now()))
    nearest = _statements(lambda: home_budgets(main, limit=6, newest=4))
    budget_sql = [sql for sql in alerts + nearest if "payments_committedtotal" in sql]
    assert len(budget_sql) == 2, alerts + nearest
    for sql in budget_sql:
        plan = _plan(sql)
        assert "payments_ledgertotal" not in plan, plan


def test_cut_lists_count_beside_their_rows_without_a_window():
    """The attention list and the agenda read their first rows and count the rest in a subquery
    (accounts.paging.count_of): no WindowAgg, which would build every matching row first."""
    data.build(SIZES, seed=3)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    main = Workspace.objects.get(slug="bench-0")
    owner = main.memberships.order_by("pk").first().user
    now = timezone.now()
    [attention] = _statements(lambda: owner_attention_page(main, user=owner, now=now, limit=15))
    [agenda] = _statements(lambda: owner_agenda_page(main, now=now, days=14, limit=30))
    for sql in (attention, agenda):
        plan = _plan(sql)
        assert "WindowAgg" not in plan and "Limit" in plan, plan
