import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from notifications.emails import build_message
from notifications.models import Notification
from payments import services
from payments.selectors import engagement_statement, freelancer_statement

from .conftest import fund, new_key, submit
from .factories import EngagementFactory, FreelancerFactory, MilestoneFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(submitted, owner, engagement, make_milestone):
    """Fund 1,500 + release; fund 400 and refund it; a 50 bonus; a 1,000 payout."""
    services.milestone_release(milestone=submitted, actor=owner, idempotency_key=new_key())
    cancelled = make_milestone(amount=40_000, title="Extra page")
    fund(cancelled, owner)
    services.milestone_refund(milestone=cancelled, actor=owner, idempotency_key=new_key(), reason="Dropped")
    services.bonus_pay(engagement=engagement, actor=owner, amount=5_000, note="Nice work",
                       idempotency_key=new_key())
    services.payout_record(engagement=engagement, actor=owner, amount=100_000, method="paypal",
                           reference="=PP-42", paid_on=date(2026, 1, 5), idempotency_key=new_key())
    return engagement


def rows(response):
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_engagement_statement_csv_lists_every_movement_with_running_balances(owner_client, history):
    response = owner_client.get(reverse("payments:engagement_statement", args=[history.pk]) + "?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    table = rows(response)
    header, lines = table[0], table[1:]
    assert header[:7] == ["Date", "Transaction", "Type", "Engagement", "Description", "Currency", "Escrow change"]
    col = {name: i for i, name in enumerate(header)}
    kinds = [line[col["Type"]] for line in lines]
    assert kinds == ["Milestone funded", "Milestone released", "Milestone funded", "Milestone refunded", "Bonus",
                     "Payout"]
    # Balances are always figures (0.00 too); a movement column is empty when nothing moved.
    assert [line[col["Escrow balance"]] for line in lines] == ["1500.00", "0.00", "400.00", "0.00", "0.00", "0.00"]
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


def test_every_payments_email_renders(history, owner, make_milestone, freelancer):
    disputed = make_milestone(amount=1_000)
    fund(disputed, owner)
    submit(disputed)
    services.milestone_review_extend(milestone=disputed, actor=owner, days=2, reason="Away")
    services.milestone_dispute(milestone=disputed, actor=freelancer.user, reason="Late feedback",
                               idempotency_key=new_key())
    services.milestone_resolve(milestone=disputed, actor=owner, release_amount=600, refund_amount=400,
                               idempotency_key=new_key(), note="Met halfway")
    kinds = set()
    for note in Notification.objects.select_related("workspace", "recipient_user"):
        message = build_message(note)
        assert message.subject.startswith("[Acme Studio]")
        assert "{{" not in message.body and "{%" not in message.body
        kinds.add(note.kind)
    assert {"escrow_funded", "escrow_released", "escrow_refunded", "escrow_disputed", "escrow_resolved",
            "review_extended", "bonus_paid", "payout_sent"} <= kinds
    resolved = Notification.objects.get(kind="escrow_resolved", recipient_email=freelancer.email)
    body = build_message(resolved).body
    assert "6.00 USD" in body and "4.00 USD" in body and "Met halfway" in body


def test_a_freelancer_without_a_portal_login_is_greeted_by_name(workspace, owner):
    outside = FreelancerFactory(workspace=workspace, name="Priya Raman", email="priya@example.com", user=None)
    milestone = MilestoneFactory(engagement=EngagementFactory(workspace=workspace, freelancer=outside),
                                 amount=10_000)
    fund(milestone, owner)
    body = build_message(Notification.objects.get(kind="escrow_funded", recipient_email="priya@example.com")).body
    assert body.startswith("Hello Priya Raman,")
