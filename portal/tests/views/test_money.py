"""The freelancer's money page at any size: the same number of queries for a freelancer with two
engagements and with many, each in every money state (held, in review, released, paid out), and
the page cut to its latest lines while the figures count every one."""

from datetime import date

import pytest

from payments import services as payments

from ..conftest import key, start_engagement

pytestmark = pytest.mark.django_db


def _grow(workspace, owner, freelancer, n, start=0):
    for i in range(start, start + n):
        engagement = start_engagement(workspace, owner, freelancer, title=f"Money {i}",
                                      milestones=["Paid", "In review", "Held"])
        paid, review, held = engagement.milestones.order_by("position")
        for m in (paid, review, held):
            payments.milestone_fund(milestone=m, actor=owner, idempotency_key=key())
        for m in (paid, review):
            payments.milestone_submit_for_review(milestone_id=m.pk, freelancer=freelancer, message="Done.",
                                                 attest_own_work=True)
        payments.milestone_release(milestone=paid, actor=owner, idempotency_key=key())
        payments.payout_record(engagement=engagement, actor=owner, amount=60_000, method="bank_transfer",
                               reference=f"TR-{i}", paid_on=date.today(), idempotency_key=key())


def test_the_money_page_reads_the_same_queries_at_2_and_at_12_engagements(
        client_a, workspace, owner, freelancer_a, django_assert_max_num_queries, monkeypatch):
    from portal.views import home

    monkeypatch.setattr(home, "STATEMENT_LINES_SHOWN", 5)
    monkeypatch.setattr(home, "LEDGER_LINES_SHOWN", 5)
    _grow(workspace, owner, freelancer_a, 2)
    with django_assert_max_num_queries(15) as small:
        client_a.get("/portal/money/")
    _grow(workspace, owner, freelancer_a, 10, start=2)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client_a.get("/portal/money/")

    page = response.content.decode()
    # 12 releases and 12 payouts: 24 statement lines, the latest 5 shown, the balance over all.
    assert "The latest 5 of 24 lines" in page
    assert "TR-11" in page and "TR-0<" not in page
    # 36 fundings and 12 releases move escrow: the latest 5 of 48 movements shown.
    assert "The latest 5 of 48 movements" in page
    # Every figure sums all twelve: 12 × 1,000.00 held, in review; 12 × 400.00 still payable.
    assert "12,000.00" in page and "4,800.00" in page


def test_what_is_payable_by_engagement_comes_a_page_at_a_time_the_largest_first(
        client_a, client_b, workspace, owner, freelancer_a, freelancer_b, monkeypatch):
    from portal.views import home

    monkeypatch.setattr(home, "OWED_PER_PAGE", 2)
    _grow(workspace, owner, freelancer_a, 3)
    _grow(workspace, owner, freelancer_b, 1, start=7)
    first = client_a.get("/portal/money/")
    second = client_a.get("/portal/money/?page=2")
    shown = [[e.title for e in r.context["owed_by_engagement"]] for r in (first, second)]
    # 400.00 payable on each (1,000.00 released, 600.00 paid out): equal, the latest first.
    assert shown == [["Money 2", "Money 1"], ["Money 0"]]
    assert first.context["owed_by_engagement"].paginator.count == 3
    assert "3 engagements, the largest first." in first.content.decode()
    assert all(e.owed == 40_000 for e in first.context["owed_by_engagement"])
    # Another freelancer's engagement is never among them.
    assert "Money 7" not in first.content.decode() + second.content.decode()
    assert [e.title for e in client_b.get("/portal/money/").context["owed_by_engagement"]] == ["Money 7"]
