import pytest
from django.urls import reverse

from payments import services

from ..conftest import fund, new_key, submit
from .conftest import action_url

pytestmark = pytest.mark.django_db


def test_overview_lists_escrow_reviews_and_payables(owner_client, submitted, owner, make_milestone):
    other = make_milestone(amount=20_000, title="Logo")
    fund(other, owner)
    submit(other)
    services.milestone_release(milestone=other, actor=owner, idempotency_key=new_key())
    html = owner_client.get(reverse("payments:overview")).content.decode()
    assert "Held in escrow" in html and "1,500.00 USD" in html
    assert "14 days left" in html or "13 days left" in html
    assert "Owed to freelancers" in html and "200.00 USD" in html
    assert reverse("payments:payout", args=[submitted.engagement_id]) in html


def test_overview_works_for_a_manager(manager_client, submitted):
    html = manager_client.get(reverse("payments:overview")).content.decode()
    assert submitted.title in html
    assert action_url(submitted, "release") not in html
