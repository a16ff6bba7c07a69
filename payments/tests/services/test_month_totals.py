"""MonthTotal, what each engagement released and paid out per slot of time, kept by post() with
the entries: the owner's "released / paid out this month" and the released-per-month chart read
it, by the workspace's local month. Held here to the entries themselves, summed by local month in
Python, across a local month's turn in a zone a quarter hour off UTC and after a zone change;
and two releases in one workspace do not wait for each other on a shared row."""

import threading
from collections import defaultdict
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, available_timezones

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from payments import services
from payments.models import AccountKind, Entry, MonthTotal
from payments.models.totals import RELEASED_KINDS, month_slot
from payments.selectors.charts import released_by_month
from payments.selectors.dashboard import currency_totals
from payments.services.totals import ledger_totals_rebuild, months_from_entries

from ..conftest import fund, new_key, submit
from ..factories import EngagementFactory, FreelancerFactory, MilestoneFactory


def test_every_zones_months_start_on_a_slots_start():
    """No slot straddles the start of a local month in any zone the workspace settings offer,
    1980-2050 (DST and the zones a quarter or half hour off UTC included)."""
    off = []
    for name in available_timezones():
        zone = ZoneInfo(name)
        for year in range(1980, 2051):
            for month in range(1, 13):
                start = datetime(year, month, 1, tzinfo=zone)
                if month_slot(start) != start.astimezone(UTC):
                    off.append((name, year, month))
    assert off == []


def test_a_slot_is_a_quarter_hour_near_a_utc_months_turn_else_the_rest_of_the_month():
    assert month_slot(datetime(2026, 11, 30, 18, 29, 59, tzinfo=UTC)) == datetime(2026, 11, 30, 18, 15, tzinfo=UTC)
    assert month_slot(datetime(2026, 12, 1, 12, 59, tzinfo=UTC)) == datetime(2026, 12, 1, 12, 45, tzinfo=UTC)
    middle = datetime(2026, 12, 1, 13, tzinfo=UTC)
    assert month_slot(middle) == month_slot(datetime(2026, 12, 15, tzinfo=UTC)) == middle
    assert month_slot(datetime(2026, 12, 31, 8, 59, tzinfo=UTC)) == middle
    assert month_slot(datetime(2026, 12, 31, 9, 1, tzinfo=UTC)) == datetime(2026, 12, 31, 9, tzinfo=UTC)


def _by_local_month(workspace):
    """{currency: {first day of local month: [released, paid out]}} summed from the entries."""
    zone = ZoneInfo(workspace.timezone)
    sums = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for e in Entry.objects.filter(transaction__workspace=workspace).select_related("transaction", "account"):
        month = e.transaction.created_at.astimezone(zone).date().replace(day=1)
        if e.account.kind == AccountKind.PAYABLE and e.transaction.kind in RELEASED_KINDS:
            sums[e.currency][month][0] += e.amount
        if e.account.kind == AccountKind.PAID_OUT:
            sums[e.currency][month][1] += e.amount
    return sums


def _figures(workspace, now):
    """(this month's released and paid out per currency, the chart) as the home page reads them."""
    this_month = {row["currency"]: (row["released_this_month"], row["paid_out_this_month"])
                  for row in currency_totals(workspace, now=now)}
    return this_month, released_by_month(workspace, now=now)


def _expected(workspace, now):
    sums = _by_local_month(workspace)
    current = now.astimezone(ZoneInfo(workspace.timezone)).date().replace(day=1)
    this_month = {currency: tuple(months[current]) for currency, months in sums.items()}
    chart = {}
    for currency, months in sums.items():
        labels = [date(current.year - (current.month - i < 1), (current.month - i - 1) % 12 + 1, 1)
                  for i in range(5, -1, -1)]
        if any(months[m][0] for m in months if m >= labels[0]):
            chart[currency] = [(m, months[m][0]) for m in labels]
    return this_month, chart


def _kept(workspace):
    return {(t.engagement_id, t.currency, t.slot): (t.released, t.paid_out)
            for t in MonthTotal.objects.filter(workspace=workspace)}


@pytest.mark.django_db
def test_the_month_figures_are_the_entries_by_local_month_across_its_turn_and_a_zone_change(
        workspace, owner, freelancer, engagement, make_milestone, time_machine):
    workspace.timezone = "Asia/Kathmandu"  # UTC+5:45: December starts at 18:15 UTC on 30 November
    workspace.save(update_fields=["timezone"])

    def at(*args):
        time_machine.move_to(datetime(*args, tzinfo=UTC), tick=False)

    def release(amount):
        m = make_milestone(amount=amount)
        fund(m, owner)
        services.milestone_release(milestone=submit(m), actor=owner, idempotency_key=new_key())
        m.refresh_from_db()
        return m

    at(2026, 10, 20, 9)
    release(70_000)                               # October
    at(2026, 11, 30, 18, 10)
    release(100_000)                              # local 23:55 on 30 November
    at(2026, 11, 30, 18, 20)
    december = release(40_000)                    # local 00:05 on 1 December, still November in UTC
    # Refunds after release: from what is still owed (neither a release nor a payout) …
    services.released_refund(milestone=december, actor=freelancer.user, amount=10_000, idempotency_key=new_key())
    services.payout_record(engagement=engagement, actor=owner, amount=200_000, method="paypal",
                           reference="PP-1", paid_on=date(2026, 11, 30), idempotency_key=new_key())
    at(2026, 12, 1, 3)
    # … and, once everything was paid out, from paid out.
    services.released_refund(milestone=december, actor=freelancer.user, amount=20_000, method="bank_transfer",
                             reference="RET-1", idempotency_key=new_key())
    at(2026, 12, 15, 12)
    disputed = make_milestone(amount=30_000)
    fund(disputed, owner)
    services.milestone_dispute(milestone=disputed, actor=owner, reason="Late", idempotency_key=new_key())
    services.milestone_resolve(milestone=disputed, actor=owner, release_amount=12_000, refund_amount=18_000,
                               idempotency_key=new_key())
    refunded = make_milestone(amount=9_000)
    fund(refunded, owner)
    services.milestone_refund(milestone=refunded, actor=owner, idempotency_key=new_key())
    services.payout_record(engagement=engagement, actor=owner, amount=5_000, method="paypal",
                           reference="PP-2", paid_on=date(2026, 12, 15), idempotency_key=new_key())
    now = datetime(2026, 12, 20, 10, tzinfo=UTC)
    at(2026, 12, 20, 10)

    this_month, chart = _figures(workspace, now)
    assert (this_month, chart) == _expected(workspace, now)
    # In Kathmandu December holds the 00:05 release and the resolution's share; the payout just
    # after it less the 20,000 given back from paid out, and the later payout.
    assert this_month == {"USD": (40_000 + 12_000, 200_000 - 20_000 + 5_000)}
    assert chart == {"USD": [(date(2026, 7, 1), 0), (date(2026, 8, 1), 0), (date(2026, 9, 1), 0),
                             (date(2026, 10, 1), 70_000), (date(2026, 11, 1), 100_000),
                             (date(2026, 12, 1), 52_000)]}

    # Los Angeles (UTC-8): December starts at 08:00 UTC on 1 December, so the releases, the
    # payout and the refund from paid out of that night belong to November there.
    workspace.timezone = "America/Los_Angeles"
    workspace.save(update_fields=["timezone"])
    this_month, chart = _figures(workspace, now)
    assert (this_month, chart) == _expected(workspace, now)
    assert this_month == {"USD": (12_000, 5_000)}
    assert chart["USD"][-2:] == [(date(2026, 11, 1), 140_000), (date(2026, 12, 1), 12_000)]

    # What post() kept is what a rebuild from the entries computes.
    kept = _kept(workspace)
    assert kept == {(t.engagement_id, t.currency, t.slot): (t.released, t.paid_out)
                    for t in months_from_entries([workspace.pk])}
    ledger_totals_rebuild([workspace.pk])
    assert _kept(workspace) == kept


@pytest.mark.django_db
def test_a_posting_that_rolls_back_leaves_no_month_total(released, owner, engagement):
    kept = _kept(engagement.workspace)
    assert list(kept.values()) == [(released.amount, 0)]

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        services.payout_record(engagement=engagement, actor=owner, amount=1_000, method="paypal",
                               reference="PP-1", paid_on=date(2026, 1, 5), idempotency_key=new_key())
        raise Boom
    assert _kept(engagement.workspace) == kept


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_releases_in_one_workspace_do_not_wait_for_each_other(workspace, owner):
    """One release holds its transaction open; a release of another engagement of the same
    workspace, in the same slot, commits meanwhile without waiting for a lock (a row per
    workspace and month would make it wait until the first commits)."""
    submitted = []
    for i in range(2):
        engagement = EngagementFactory(workspace=workspace, freelancer=FreelancerFactory(workspace=workspace),
                                       budget=1_000_000)
        m = MilestoneFactory(engagement=engagement, amount=10_000 * (i + 1))
        fund(m, owner)
        submitted.append(submit(m))
    first_posted, second_done = threading.Event(), threading.Event()
    outcome = {}

    def first():
        try:
            with transaction.atomic():
                services.milestone_release(milestone=submitted[0], actor=owner, idempotency_key=new_key())
                first_posted.set()
                outcome["second finished while the first was open"] = second_done.wait(timeout=20)
        except Exception as exc:  # the test reports it
            outcome["first"] = exc
            first_posted.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=first)
    thread.start()
    assert first_posted.wait(timeout=20)
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '5s'")
    try:
        services.milestone_release(milestone=submitted[1], actor=owner, idempotency_key=new_key())
    finally:
        second_done.set()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
        thread.join(timeout=30)
    assert outcome == {"second finished while the first was open": True}
    rows = MonthTotal.objects.filter(workspace=workspace)
    assert len({t.slot for t in rows}) == 1
    assert sorted(t.released for t in rows) == [10_000, 20_000]
    assert currency_totals(workspace, now=timezone.now())[0]["released_this_month"] == 30_000
