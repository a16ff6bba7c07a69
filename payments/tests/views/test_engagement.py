import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from engagements.models import Engagement
from engagements.services import lifecycle as engagement_services
from payments import services
from payments.models import BudgetChange, Payout

from ..conftest import fund, new_key, submit
from ..factories import EngagementFactory, MilestoneFactory
from .conftest import action_url, key_in

pytestmark = pytest.mark.django_db


def test_it_sends_anonymous_visitors_to_login(client, engagement):
    response = client.get(reverse("payments:engagement", args=[engagement.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_engagement_page_shows_figures_buttons_and_the_80_percent_alert(owner_client, engagement, make_milestone,
                                                                        owner):
    m = make_milestone(amount=850_000, title="Big chunk")
    fund(m, owner)
    submit(m)
    html = owner_client.get(reverse("payments:engagement", args=[engagement.pk])).content.decode()
    assert "85 % of the budget is committed" in html
    assert "8,500.00 USD" in html
    assert action_url(m, "release") in html
    assert "Released automatically" in html


def test_a_finished_engagement_offers_no_funding(owner_client, engagement, make_milestone):
    draft = make_milestone(title="Never started")
    page = reverse("payments:engagement", args=[engagement.pk])
    assert action_url(draft, "fund") in owner_client.get(page).content.decode()
    Engagement.objects.filter(pk=engagement.pk).update(status="completed")
    html = owner_client.get(page).content.decode()
    assert "Never started" in html and action_url(draft, "fund") not in html
    # The header is the engagement's own, with the Money tab current.
    assert 'aria-current="page" href="' + page + '">Money</a>' in html


def test_budget_change_through_the_page(owner_client, engagement):
    response = owner_client.post(reverse("payments:budget", args=[engagement.pk]),
                                 {"budget": "12000.00", "contingency_percent": "10", "reason": "Scope grew"})
    assert response.status_code == 302
    change = BudgetChange.objects.get()
    assert (change.new_budget, change.new_contingency_percent) == (1_200_000, 10)


def test_bonus_and_payout_through_the_pages(owner_client, engagement, freelancer):
    html = owner_client.get(reverse("payments:bonus", args=[engagement.pk])).content.decode()
    owner_client.post(reverse("payments:bonus", args=[engagement.pk]),
                      {"idempotency_key": key_in(html), "amount": "250.00", "note": "Great launch"})
    html = owner_client.get(reverse("payments:payout", args=[engagement.pk])).content.decode()
    assert "250.00 USD" in html
    response = owner_client.post(reverse("payments:payout", args=[engagement.pk]), {
        "idempotency_key": key_in(html), "amount": "250.00", "method": "paypal", "reference": "PP-7781",
        "paid_on": "2026-01-05",
    })
    assert response.status_code == 302
    assert Payout.objects.get().reference == "PP-7781"


def test_payout_form_refuses_a_card_number(owner_client, engagement, owner):
    services.bonus_pay(engagement=engagement, actor=owner, amount=10_000, note="Thanks", idempotency_key=new_key())
    response = owner_client.post(reverse("payments:payout", args=[engagement.pk]), {
        "idempotency_key": "k", "amount": "100.00", "method": "other", "reference": "4111 1111 1111 1111",
        "paid_on": "2026-01-05",
    })
    assert "looks like a card number" in response.content.decode()
    assert Payout.objects.count() == 0


def test_pages_of_another_workspace_engagement_are_404(owner_client, outsider):
    theirs = EngagementFactory(workspace=outsider.memberships.get().workspace)
    for name in ("payments:engagement", "payments:ledger", "payments:budget", "payments:bonus", "payments:payout"):
        assert owner_client.get(reverse(name, args=[theirs.pk])).status_code == 404
    assert owner_client.get(reverse("payments:freelancer_statement", args=[theirs.freelancer_id])).status_code == 404


def test_ledger_page_lists_double_entries(owner_client, submitted, engagement):
    html = owner_client.get(reverse("payments:ledger", args=[engagement.pk])).content.decode()
    assert "Milestone funded" in html and "+1,500.00 USD" in html and "−1,500.00 USD" in html


def _populate(workspace, owner, count):
    for _ in range(count):
        engagement = EngagementFactory(workspace=workspace)
        m = MilestoneFactory(engagement=engagement, amount=10_000)
        fund(m, owner)
        submit(m)
        other = MilestoneFactory(engagement=engagement, amount=5_000)
        fund(other, owner)
        services.milestone_dispute(milestone=other, actor=owner, reason="x", idempotency_key=new_key())


@pytest.mark.parametrize("name", ["payments:overview", "payments:engagement"])
def test_pages_do_not_grow_queries_with_the_data(owner_client, workspace, owner, engagement, name,
                                                 django_assert_max_num_queries):
    args = [engagement.pk] if name == "payments:engagement" else []
    _populate(workspace, owner, 2)
    for _ in range(2):
        MilestoneFactory(engagement=engagement, amount=1_000)
    with CaptureQueriesContext(connection) as few:
        assert owner_client.get(reverse(name, args=args)).status_code == 200
    _populate(workspace, owner, 4)
    for _ in range(4):
        m = MilestoneFactory(engagement=engagement, amount=1_000)
        fund(m, owner)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert owner_client.get(reverse(name, args=args)).status_code == 200


def test_once_money_has_moved_the_budget_changes_only_on_the_money_page(owner_client, owner, engagement, milestone):
    engagement_services.engagement_update(engagement=engagement, actor=owner, budget=1_200_000)  # planning: free
    fund(milestone, owner)
    with pytest.raises(ValidationError, match="Money page"):
        engagement_services.engagement_update(engagement=engagement, actor=owner, budget=100)
    edit = reverse("engagements:edit", args=[engagement.pk])
    assert "change the budget on the Money page" in owner_client.get(edit).content.decode()
    # The rest of the terms still save; the disabled budget keeps its value (minor units, not ×100).
    response = owner_client.post(edit, {
        "title": "Renamed", "kind": "project", "pay_terms": "fixed", "budget": "1.00", "contingency_percent": "90",
        "currency": "USD", "update_every_days": "3", "update_grace_hours": "12", "checkin_every_days": "7",
        "reporting_preference": "progress"})
    assert response.status_code == 302
    engagement.refresh_from_db()
    assert (engagement.title, engagement.budget, engagement.contingency_percent) == ("Renamed", 1_200_000, 15)
    assert not BudgetChange.objects.exists()
