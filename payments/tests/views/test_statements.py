import csv
import io

import pytest
from django.urls import reverse

from payments import services
from payments.selectors import engagement_statement, freelancer_statement, freelancer_statement_latest

from ..conftest import fund, new_key, submit
from ..factories import EngagementFactory, MilestoneFactory

pytestmark = pytest.mark.django_db


def rows(response):
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_engagement_statement_csv_lists_every_movement_with_running_balances(owner_client, history):
    response = owner_client.get(reverse("payments:engagement_statement", args=[history.pk]) + "?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    table = rows(response)
    header, lines = table[0], table[1:]
    assert header[:7] == ["Date", "Transaction", "Type", "Engagement", "Description", "Currency", "Held funds change"]
    col = {name: i for i, name in enumerate(header)}
    kinds = [line[col["Type"]] for line in lines]
    assert kinds == ["Milestone funded", "Milestone released", "Milestone funded", "Milestone refunded", "Bonus",
                     "Payout"]
    # Balances are always figures (0.00 too); a movement column is empty when nothing moved.
    assert [line[col["Held funds balance"]] for line in lines] == ["1500.00", "0.00", "400.00", "0.00", "0.00", "0.00"]
    assert [line[col["Owed balance"]] for line in lines] == ["0.00", "1500.00", "1500.00", "1500.00", "1550.00",
                                                              "550.00"]
    assert lines[3][col["Refunded"]] == "400.00"
    assert lines[5][col["Paid out"]] == "1000.00"
    # A cell a spreadsheet would run as a formula is defused.
    assert lines[5][col["Reference"]] == "'=PP-42"
    assert {line[col["Currency"]] for line in lines} == {"USD"}
    assert all(not cell.startswith("=") for line in lines for cell in line)


def test_freelancer_statement_csv_shows_earned_and_paid(owner_client, history, freelancer):
    table = rows(owner_client.get(reverse("payments:freelancer_statement", args=[freelancer.pk]) + "?format=csv"))
    header, lines = table[0], table[1:]
    col = {name: i for i, name in enumerate(header)}
    assert [(line[col["Earned"]], line[col["Paid out"]], line[col["Owed balance"]]) for line in lines] == [
        ("1500.00", "", "1500.00"), ("50.00", "", "1550.00"), ("", "1000.00", "550.00"),
    ]
    assert {line[col["Engagement"]] for line in lines} == {"Website redesign"}


def test_statements_on_screen_and_printable(owner_client, history, freelancer):
    screen = owner_client.get(reverse("payments:engagement_statement", args=[history.pk])).content.decode()
    assert "Statement: Website redesign" in screen and "PP-42" in screen
    printable = owner_client.get(reverse("payments:engagement_statement", args=[history.pk]) + "?format=print")
    html = printable.content.decode()
    assert "Issued" in html and "Owed to the freelancer" in html and "550.00 USD" in html
    assert 'class="navbar' not in html
    person = owner_client.get(reverse("payments:freelancer_statement", args=[freelancer.pk])).content.decode()
    assert "550.00 USD" in person


def test_freelancer_statement_keeps_currencies_apart(workspace, owner, freelancer):
    usd = EngagementFactory(workspace=workspace, freelancer=freelancer, currency="USD")
    eur = EngagementFactory(workspace=workspace, freelancer=freelancer, currency="EUR")
    for eng, amount in ((usd, 10_000), (eur, 20_000)):
        m = MilestoneFactory(engagement=eng, amount=amount)
        fund(m, owner)
        submit(m)
        services.milestone_release(milestone=m, actor=owner, idempotency_key=new_key())
    statement = freelancer_statement(freelancer)
    assert statement.totals == {"USD": {"earned": 10_000, "paid_out": 0, "owed": 10_000},
                                "EUR": {"earned": 20_000, "paid_out": 0, "owed": 20_000}}
    assert engagement_statement(eur).totals["EUR"]["earned"] == 20_000


def _comparable(statement):
    return {currency: [(line.transaction.pk, line.kind, line.description, line.earned, line.paid_out,
                        line.owed_balance, line.engagement.pk, line.reference) for line in lines]
            for currency, lines in statement.currency_lines.items()}


def test_the_latest_lines_of_a_statement_are_the_full_statements_tail(history, freelancer, workspace, owner):
    # A second currency, so each keeps its own tail, balances and totals.
    eur = EngagementFactory(workspace=workspace, freelancer=freelancer, currency="EUR")
    m = MilestoneFactory(engagement=eur, amount=20_000)
    fund(m, owner)
    submit(m)
    services.milestone_release(milestone=m, actor=owner, idempotency_key=new_key())
    full = freelancer_statement(freelancer)

    latest, count = freelancer_statement_latest(freelancer, lines=2)

    assert count == len(full.lines) == 4
    assert latest.totals == full.totals
    assert _comparable(latest) == {c: rows[-2:] for c, rows in _comparable(full).items()}
    # The currencies in the same order (the one first used first), as the page lists them.
    assert list(latest.currency_lines) == list(full.currency_lines) and list(latest.totals) == list(full.totals)
    assert latest.currency_lines["USD"][-1].reference == "=PP-42"  # the payout's reference


def test_the_owners_statement_of_a_freelancer_shows_the_latest_lines_and_the_largest_owed(
        owner_client, history, freelancer, workspace, owner, monkeypatch, django_assert_max_num_queries):
    from payments.views import statements

    monkeypatch.setattr(statements, "STATEMENT_LINES_SHOWN", 2)
    monkeypatch.setattr(statements, "OWED_SHOWN", 1)
    url = reverse("payments:freelancer_statement", args=[freelancer.pk])
    with django_assert_max_num_queries(15) as small:
        page = owner_client.get(url).content.decode()
    queries = len(small.captured_queries)
    # Three lines (earned 1,500.00 and 50.00, paid 1,000.00): the latest two on screen, the
    # totals over all three; every one in the CSV and the printable version.
    assert "The latest 2 of 3 lines" in page and "550.00 USD" in page
    assert len(rows(owner_client.get(url + "?format=csv"))) == 4
    assert "The latest" not in owner_client.get(url + "?format=print").content.decode()
    # A second engagement owed more: it comes first, the other counted.
    more = EngagementFactory(workspace=workspace, freelancer=freelancer, currency="USD", title="Bigger job")
    m = MilestoneFactory(engagement=more, amount=90_000)
    fund(m, owner)
    submit(m)
    services.milestone_release(milestone=m, actor=owner, idempotency_key=new_key())
    with django_assert_max_num_queries(queries):
        page = owner_client.get(url).content.decode()
    assert "900.00 USD on" in page and "Bigger job" in page
    assert "the 1 largest of 2 engagements" in page and "550.00 USD on" not in page
