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


def _crowd(engagement, owner, count, make_milestone):
    """`count` more engagements like `engagement`, each with one submitted milestone and money
    released on another (so each appears among the reviews, the payables and the engagements)."""
    from engagements.models import Engagement

    for i in range(count):
        other = Engagement.objects.create(workspace=engagement.workspace, freelancer=engagement.freelancer,
                                          title=f"Crowd {i}", status="active", budget=10_000_000)
        first = other.milestones.create(title=f"Crowd work {i}", acceptance_criteria="x", amount=1_000)
        fund(first, owner)
        submit(first)
        second = other.milestones.create(title=f"Crowd paid {i}", acceptance_criteria="x", amount=500, position=1)
        fund(second, owner)
        submit(second)
        services.milestone_release(milestone=second, actor=owner, idempotency_key=new_key())


def test_the_money_page_is_a_page_at_any_size(owner_client, submitted, owner, make_milestone,
                                               django_assert_max_num_queries):
    _crowd(submitted.engagement, owner, 3, make_milestone)
    with django_assert_max_num_queries(15) as few:  # the bound for every page
        owner_client.get(reverse("payments:overview"))
    _crowd(submitted.engagement, owner, 30, make_milestone)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = owner_client.get(reverse("payments:overview"))

    overview = response.context["overview"]
    html = response.content.decode()
    assert overview.reviews_count == 34 and len(overview.reviews) == 25
    assert "The first 25 of 34 reviews" in html
    assert overview.payables_count == 33 and len(overview.payables) == 25
    assert overview.engagements.paginator.count == 34 and len(overview.engagements.object_list) == 25
    second = owner_client.get(reverse("payments:overview") + "?page=2").context["overview"]
    assert len(second.engagements.object_list) == 9
    # The totals are the whole workspace's (the ledger's), not the page's.
    from payments.models import AccountKind, Entry
    held = sum(Entry.objects.filter(account__kind=AccountKind.ESCROW).values_list("amount", flat=True))
    assert overview.escrow_totals == {"USD": held}
