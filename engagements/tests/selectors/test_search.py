"""The search box: words find freelancers, engagements, milestones, briefs, status updates and
messages of the workspace, grouped by kind; another workspace's rows never; a freelancer only
their own engagements; a misspelt name still finds the person (PostgreSQL); one query per kind
whatever the number of rows."""

import pytest
from django.urls import reverse

from engagements.models import Engagement, Message
from engagements.selectors.search import Scope, search
from engagements.services.milestone import milestone_create
from engagements.services.reporting import status_update_post
from engagements.tests.factories import ApprovedFreelancerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(active, owner, freelancer, foreign_engagement):
    milestone_create(engagement=active, actor=owner, title="Payment page polish",
                     acceptance_criteria="Apple Pay button works.", amount=10000)
    status_update_post(engagement_id=active.pk, freelancer=freelancer, done="Wired the basket totals",
                       next="Payment page", percent_complete=40)
    Message.objects.create(engagement=active, author_user=owner, author_name="Olivia", body="Can we demo the basket?")
    # The same words in another workspace: never found.
    Engagement.objects.filter(pk=foreign_engagement.pk).update(title="Checkout basket payment")
    return active


def kinds(results):
    return {kind: [hit.title for hit in hits] for kind, hits in results.items()}


def test_words_find_each_kind_grouped(world, workspace):
    found = kinds(search(q="basket", scope=Scope(workspace=workspace)))
    assert set(found) == {"status_update", "message"}
    found = kinds(search(q="checkout", scope=Scope(workspace=workspace)))
    assert found["engagement"] == ["Checkout redesign"]
    assert any(t.startswith("Brief v1") for t in found["brief"])
    found = kinds(search(q="payment page", scope=Scope(workspace=workspace)))
    assert found["milestone"] == ["Payment page polish · Checkout redesign"]
    assert kinds(search(q="frida", scope=Scope(workspace=workspace)))["freelancer"] == ["Frida Lance"]


def test_another_workspace_is_never_searched(world, outsider_workspace, workspace):
    foreign = search(q="basket payment", scope=Scope(workspace=outsider_workspace))
    assert kinds(foreign) == {"engagement": ["Checkout basket payment"]}
    assert "engagement" not in search(q="basket payment", scope=Scope(workspace=workspace))


def test_a_freelancer_searches_only_their_engagements(world, workspace, freelancer, other_freelancer, owner):
    from engagements.services.lifecycle import engagement_create

    engagement_create(workspace=workspace, created_by=owner, freelancer=other_freelancer, title="Checkout audit",
                      budget=1000, currency="USD")
    mine = kinds(search(q="checkout", scope=Scope(workspace=workspace, freelancer=freelancer)))
    assert mine["engagement"] == ["Checkout redesign"] and "freelancer" not in mine
    theirs = kinds(search(q="checkout", scope=Scope(workspace=workspace, freelancer=other_freelancer)))
    assert theirs == {}  # a draft never offered to them is the owner's alone


def test_the_page_shows_groups_with_links(owner_client, world):
    response = owner_client.get(reverse("engagements:search"), {"q": "basket"})
    page = response.content.decode()
    assert "Status updates" in page and "Messages" in page
    assert f'href="/engagements/{world.pk}/messages/#m' in page
    assert "Nothing matches" in owner_client.get(reverse("engagements:search"), {"q": "zebra"}).content.decode()


@pytest.mark.postgres
def test_a_misspelt_name_finds_the_freelancer_and_prefixes_match(world, workspace):
    assert kinds(search(q="Fridah", scope=Scope(workspace=workspace)))["freelancer"] == ["Frida Lance"]
    assert kinds(search(q="lanse", scope=Scope(workspace=workspace)))["freelancer"] == ["Frida Lance"]
    assert kinds(search(q="redesig", scope=Scope(workspace=workspace)))["engagement"] == ["Checkout redesign"]
    # Stemming: "demos" finds "demo".
    assert "message" in search(q="demos", scope=Scope(workspace=workspace))


def test_query_count_is_the_same_for_10_and_1000_engagements(owner_client, workspace, django_assert_max_num_queries):
    freelancers = ApprovedFreelancerFactory.create_batch(2, workspace=workspace, name="Grown Person")

    def grow(n):
        Engagement.objects.bulk_create([Engagement(workspace=workspace, freelancer=freelancers[i % 2],
                                                   title=f"Grown engagement {i}", budget=100) for i in range(n)])

    grow(10)
    with django_assert_max_num_queries(20) as few:
        owner_client.get(reverse("engagements:search"), {"q": "grown"})
    grow(990)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = owner_client.get(reverse("engagements:search"), {"q": "grown"})
    engagement_links = '<li class="list-group-item"><a class="text-break" href="/engagements/'
    assert response.content.decode().count(engagement_links) == 10
