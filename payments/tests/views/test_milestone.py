import pytest
from django.urls import reverse

from engagements.models import MilestoneState
from payments import services
from payments.models import Dispute, Transaction

from ..conftest import new_key
from .conftest import action_url, key_in

pytestmark = pytest.mark.django_db


def test_it_rejects_outsider(outsider_client, engagement, milestone):
    assert outsider_client.get(reverse("payments:engagement", args=[engagement.pk])).status_code == 404
    assert outsider_client.get(action_url(milestone, "fund")).status_code == 404
    assert outsider_client.post(action_url(milestone, "fund"), {"idempotency_key": "x",
                                                                "expected_amount": 150_000}).status_code == 404
    assert outsider_client.get(reverse("payments:engagement_statement", args=[engagement.pk])).status_code == 404
    assert Transaction.objects.count() == 0


def test_fund_confirmation_shows_the_amount_and_a_double_submit_funds_once(owner_client, milestone):
    page = owner_client.get(action_url(milestone, "fund"))
    html = page.content.decode()
    assert "1,500.00 USD" in html and "moves from you into held funds" in html
    data = {"idempotency_key": key_in(html), "expected_amount": "150000"}
    first = owner_client.post(action_url(milestone, "fund"), data, follow=True)
    assert "is now held for" in first.content.decode()
    second = owner_client.post(action_url(milestone, "fund"), data, follow=True)
    assert "already done" in second.content.decode()
    assert Transaction.objects.filter(kind="fund").count() == 1
    milestone.refresh_from_db()
    assert milestone.state == MilestoneState.FUNDED


def test_fund_confirmation_warns_before_the_budget_is_exceeded(owner_client, make_milestone):
    big = make_milestone(amount=2_000_000)
    html = owner_client.get(action_url(big, "fund")).content.decode()
    assert "will be refused" in html and "Raise the budget" in html
    response = owner_client.post(action_url(big, "fund"), {"idempotency_key": "k", "expected_amount": "2000000"})
    assert response.status_code == 200
    assert "Raise the budget first" in response.content.decode()
    assert Transaction.objects.count() == 0


def test_a_manager_sees_the_page_but_cannot_move_money(manager_client, milestone):
    html = manager_client.get(action_url(milestone, "fund")).content.decode()
    assert "Only the workspace owner can move money" in html
    response = manager_client.post(action_url(milestone, "fund"), {"idempotency_key": "k", "expected_amount": 150_000})
    assert response.status_code == 200
    assert Transaction.objects.count() == 0


def test_a_manager_can_open_a_dispute(manager_client, funded, manager):
    html = manager_client.get(action_url(funded, "dispute")).content.decode()
    response = manager_client.post(action_url(funded, "dispute"),
                                   {"idempotency_key": key_in(html), "reason": "Nothing delivered in 3 weeks"})
    assert response.status_code == 302
    assert Dispute.objects.get().raised_by == manager


def test_releasing_unsubmitted_work_is_explained_not_offered(owner_client, funded):
    html = owner_client.get(action_url(funded, "release")).content.decode()
    assert "cannot be released now" in html
    assert "Release to the freelancer" not in html


def test_release_through_the_page(owner_client, submitted, freelancer):
    html = owner_client.get(action_url(submitted, "release")).content.decode()
    assert "goes to Frida Freelancer" in html
    owner_client.post(action_url(submitted, "release"), {"idempotency_key": key_in(html)})
    submitted.refresh_from_db()
    assert submitted.state == MilestoneState.RELEASED


def test_resolve_takes_amounts_in_major_units_and_checks_the_sum(owner_client, submitted, owner):
    services.milestone_dispute(milestone=submitted, actor=owner, reason="Half", idempotency_key=new_key())
    html = owner_client.get(action_url(submitted, "resolve")).content.decode()
    key = key_in(html)
    bad = owner_client.post(action_url(submitted, "resolve"), {"idempotency_key": key, "release_amount": "1000.00",
                                                               "refund_amount": "100.00"})
    assert "add up to exactly what is held" in bad.content.decode()
    assert "(1,500.00 USD); these add up to 1,100.00 USD" in bad.content.decode()
    owner_client.post(action_url(submitted, "resolve"), {"idempotency_key": key, "release_amount": "1000.00",
                                                         "refund_amount": "500.00", "note": "Agreed"})
    submitted.refresh_from_db()
    assert submitted.state == MilestoneState.SPLIT


def test_extend_review_once(owner_client, submitted):
    response = owner_client.post(action_url(submitted, "extend"), {"days": "5", "reason": "Travelling"})
    assert response.status_code == 302
    again = owner_client.post(action_url(submitted, "extend"), {"days": "5"})
    assert "already extended once" in again.content.decode()


def test_unknown_action_is_404(owner_client, milestone):
    assert owner_client.get(action_url(milestone, "teleport")).status_code == 404
