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
    assert "Held funds" in html and "1,500.00 USD" in html
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


def test_the_totals_and_who_is_owed_equal_the_ledgers_sums_after_every_kind_of_action(
        owner_client, history, owner, make_milestone, workspace):
    """The page reads the ledger totals (LedgerTotal), not the entries: after releases, a split
    resolution, a refund, a bonus and a payout, in two currencies, its figures are the entries' sums."""
    from django.db.models import Sum

    from payments.models import AccountKind, Entry
    from payments.tests.factories import EngagementFactory, MilestoneFactory

    disputed = make_milestone(amount=33_333, title="Disputed")
    fund(disputed, owner)
    services.milestone_dispute(milestone=disputed, actor=owner, reason="Late", idempotency_key=new_key())
    services.milestone_resolve(milestone=disputed, actor=owner, release_amount=11_111, refund_amount=22_222,
                               idempotency_key=new_key())
    held = make_milestone(amount=7_000, title="Held")
    fund(held, owner)
    euros = EngagementFactory(workspace=workspace, freelancer=history.freelancer, currency="EUR", budget=90_000)
    paid = MilestoneFactory(engagement=euros, amount=12_345, currency="EUR")
    fund(paid, owner)
    services.milestone_release(milestone=submit(paid), actor=owner, idempotency_key=new_key())
    fund(MilestoneFactory(engagement=euros, amount=4_000, currency="EUR"), owner)

    overview = owner_client.get(reverse("payments:overview")).context["overview"]

    def sums(kind, *group):
        rows = (Entry.objects.filter(account__kind=kind, transaction__workspace=workspace)
                .values(*group).annotate(t=Sum("amount")).order_by())
        return {tuple(r[g] for g in group): r["t"] for r in rows if r["t"]}

    assert overview.escrow_totals == {c: t for (c,), t in sums(AccountKind.ESCROW, "currency").items()} == {
        "USD": 7_000, "EUR": 4_000}
    assert overview.owed_totals == {c: t for (c,), t in sums(AccountKind.PAYABLE, "currency").items()}
    owed = {(p["engagement"].pk, p["currency"]): p["owed"] for p in overview.payables}
    assert owed == sums(AccountKind.PAYABLE, "transaction__engagement", "currency") == {
        (history.pk, "USD"): 150_000 + 5_000 - 100_000 + 11_111, (euros.pk, "EUR"): 12_345}
    assert overview.payables_count == 2 and overview.payables[0]["engagement"] == history


def _disputed(workspace, actor, title):
    from payments.tests.factories import EngagementFactory, MilestoneFactory

    engagement = EngagementFactory(workspace=workspace, status="active", title=f"{title} engagement")
    milestone = MilestoneFactory(engagement=engagement, title=title, amount=2_500)
    fund(milestone, actor)
    services.milestone_dispute(milestone=milestone, actor=actor, reason=f"{title}: not as agreed",
                               idempotency_key=new_key())
    return milestone


def test_open_disputes_are_this_workspaces_oldest_first_and_counted_at_any_size(
        owner_client, owner, workspace, django_assert_max_num_queries):
    from accounts.models import Membership, Role
    from accounts.tests.factories import UserFactory, WorkspaceFactory

    other_owner = UserFactory(email="someone-else@example.com")
    elsewhere = WorkspaceFactory(name="Elsewhere")
    Membership.objects.create(user=other_owner, workspace=elsewhere, role=Role.OWNER)
    _disputed(elsewhere, other_owner, "Not ours")
    settled = _disputed(workspace, owner, "Settled")
    services.milestone_resolve(milestone=settled, actor=owner, release_amount=1_000, refund_amount=1_500,
                               idempotency_key=new_key())
    for i in range(2):
        _disputed(workspace, owner, f"Quarrel {i}")
    with django_assert_max_num_queries(15) as few:
        response = owner_client.get(reverse("payments:overview"))
    overview = response.context["overview"]
    assert [d.milestone.title for d in overview.disputes] == ["Quarrel 0", "Quarrel 1"]
    assert overview.disputes_count == 2
    html = response.content.decode()
    assert "Not ours" not in html and "Settled: not as agreed" not in html and "Quarrel 1: not as agreed" in html

    for i in range(2, 28):
        _disputed(workspace, owner, f"Quarrel {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = owner_client.get(reverse("payments:overview"))
    overview = response.context["overview"]
    assert overview.disputes_count == 28 and len(overview.disputes) == 25
    assert [d.milestone.title for d in overview.disputes][:3] == ["Quarrel 0", "Quarrel 1", "Quarrel 2"]
    assert "The first 25 of 28 disputes, oldest first." in response.content.decode()
