"""The home page's money reads use the indexes made for them on PostgreSQL, in the plan the
planner really makes over the benchmark's own data set at a small size with fresh statistics:
this month's movements of a workspace and the money released per month through the month
totals' `month_total_ws` (not the months' ledger entries), a small workspace's escrow and payable
balances through the committed totals' workspace index (a row per engagement, not a scan of every
workspace's totals, nor the ledger totals' rows per kind); the budget alerts, the budgets nearest
their limit and the payments overview's balances and "who is owed" from the committed totals,
never the ledger totals."""

from collections import defaultdict

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Workspace
from engagements.selectors.agenda import owner_agenda_page
from outsourcing.bench import data
from payments.models import AccountKind, CommittedTotal, Entry, LedgerTotal
from payments.models.totals import RELEASED_KINDS
from payments.selectors.attention import money_attention, owner_attention_page
from payments.selectors.charts import released_by_month, released_by_month_rows
from payments.selectors.dashboard import currency_totals, home_budgets, month_start
from payments.selectors.overview import LIST_LIMIT, workspace_overview
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
    assert "payments_ledgertotal" not in plan and "Seq Scan on payments_committedtotal" not in plan, plan
    assert "Index Cond: (workspace_id = " in plan, plan
    main = Workspace.objects.get(slug="bench-0")
    plan = _plan(_money_query(main))
    assert "payments_monthtotal" in plan and "payments_entry" not in plan, plan
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
    def rows(totals):
        return {(t.engagement_id, t.currency): (t.amount, t.in_escrow, t.payable) for t in totals}

    assert rows(CommittedTotal.objects.all()) == rows(committed_from_totals(LedgerTotal.objects.all()))
    alerts = _statements(lambda: money_attention(main, now=timezone.now()))
    nearest = _statements(lambda: home_budgets(main, limit=6, newest=4))
    budget_sql = [sql for sql in alerts + nearest if "payments_committedtotal" in sql]
    assert len(budget_sql) == 2, alerts + nearest
    for sql in budget_sql:
        plan = _plan(sql)
        assert "payments_ledgertotal" not in plan, plan


def test_the_overviews_balances_and_payables_read_the_committed_totals():
    """The payments overview's escrow and payable per currency and its largest payables: one row
    per engagement from the committed totals, the payables read in order from committed_total_owed
    and cut at the page (no sort of every payable), never the ledger totals; the same figures as
    the ledger totals summed per engagement."""
    data.build(SIZES, seed=3)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    main = Workspace.objects.get(slug="bench-0")
    statements = _statements(lambda: workspace_overview(main))
    money_sql = [sql for sql in statements if "payments_committedtotal" in sql]
    # (The page's 25 engagements read their own ledger totals for their budget figures: by id.)
    workspace_wide = [sql for sql in statements if '"payments_ledgertotal"."workspace_id"' in sql]
    assert len(money_sql) == 2 and not workspace_wide, statements
    [owed_sql] = [sql for sql in money_sql if " OVER " in sql]
    owed_plan = _plan(owed_sql)
    assert "committed_total_owed" in owed_plan and "Sort" not in owed_plan, owed_plan
    owed, held = defaultdict(int), defaultdict(int)
    for t in LedgerTotal.objects.filter(workspace=main, account_kind__in=(AccountKind.PAYABLE, AccountKind.ESCROW)):
        if t.account_kind == AccountKind.PAYABLE:
            owed[(t.engagement_id, t.currency)] += t.amount
        held[t.currency] += t.amount if t.account_kind == AccountKind.ESCROW else 0
    largest = sorted(((-amount, engagement) for (engagement, _), amount in owed.items() if amount > 0))[:LIST_LIMIT]
    overview = workspace_overview(main)
    assert [(row["engagement"].pk, row["owed"]) for row in overview.payables] == [(e, -a) for a, e in largest]
    assert overview.payables_count == sum(1 for amount in owed.values() if amount > 0) > LIST_LIMIT
    payable = defaultdict(int)
    for (_, currency), amount in owed.items():
        payable[currency] += amount
    assert overview.escrow_totals == {c: amount for c, amount in held.items() if amount}
    assert overview.owed_totals == {c: amount for c, amount in payable.items() if amount}


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


@pytest.mark.django_db(transaction=True)  # committed, so VACUUM can mark the month rows all-visible
def test_the_month_figures_read_the_month_totals_index_and_are_the_entries_by_local_month():
    data.build(SIZES, seed=3)
    now = timezone.now()
    # bench_data loads its ledger in bulk: its month totals were summed from the entries too, in
    # the workspace's own zone (set here to one off UTC by a quarter hour).
    main = Workspace.objects.get(slug="bench-0")
    main.timezone = "Asia/Kathmandu"
    main.save(update_fields=["timezone"])
    since = month_start(main.timezone, now)
    month = Entry.objects.filter(transaction__workspace=main, transaction__created_at__gte=since)
    released = month.filter(account__kind=AccountKind.PAYABLE, transaction__kind__in=RELEASED_KINDS)
    paid_out = month.filter(account__kind=AccountKind.PAID_OUT)
    [figures] = [row for row in currency_totals(main, now=now) if row["currency"] == "USD"]
    assert (figures["released_this_month"], figures["paid_out_this_month"]) == (
        released.filter(currency="USD").aggregate(t=Sum("amount"))["t"],
        paid_out.filter(currency="USD").aggregate(t=Sum("amount"))["t"])
    assert figures["released_this_month"] > 0 and figures["paid_out_this_month"] > 0
    assert released_by_month(main, now=now)["USD"][-1] == (since.date(), figures["released_this_month"])

    # The set's ledger spans months, not years; a workspace's month totals grow by a month's rows
    # every month, and a past month's rows no longer change (autovacuum marks them all-visible).
    # With three more years of them (this set's rows again a year, two and three earlier), the
    # money card and the chart read their months through the index, never the entries.
    with connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO payments_monthtotal (workspace_id, engagement_id, currency, slot, released, paid_out)
            SELECT workspace_id, engagement_id, currency, slot - make_interval(years => back), released, paid_out
            FROM payments_monthtotal, generate_series(1, 3) AS back""")
        cursor.execute("VACUUM ANALYZE payments_monthtotal")
        cursor.execute("ANALYZE")
    for workspace in (main, Workspace.objects.exclude(slug="bench-0").order_by("pk").first()):
        [chart] = _statements(lambda: list(released_by_month_rows(workspace, now=now)))  # noqa: B023
        for sql in (chart, _money_query(workspace)):
            plan = _plan(sql)
            assert "month_total_ws" in plan and "payments_entry" not in plan, plan
