"""The freelancer list and the API's engagement and freelancer lists read the same number of
queries — at most 15, the issue's bound for every page — for a workspace with a few rows and with
many, each row carrying what the list shows (milestones, status updates, references)."""

import pytest
from django.urls import reverse

from api.models import TokenRole
from api.tests.conftest import client_with, issue
from engagements.models import Engagement, EngagementStatus, Milestone, StatusUpdate
from engagements.tests.factories import ApprovedFreelancerFactory
from freelancers.tests.factories import ReferenceFactory

pytestmark = pytest.mark.django_db

BOUND = 15


def grow(workspace, n):
    freelancers = ApprovedFreelancerFactory.create_batch(n, workspace=workspace)
    engagements = Engagement.objects.bulk_create([
        Engagement(workspace=workspace, freelancer=f, title=f"Grown {f.pk}", budget=100_000,
                   status=EngagementStatus.ACTIVE) for f in freelancers])
    Milestone.objects.bulk_create([Milestone(engagement=e, title="Part", acceptance_criteria="x", amount=500,
                                             position=p) for e in engagements for p in (0, 1)])
    StatusUpdate.objects.bulk_create([StatusUpdate(engagement=e, workspace=workspace, freelancer=e.freelancer,
                                                   done="a", next="b", percent_complete=20) for e in engagements])
    for f in freelancers:
        ReferenceFactory(freelancer=f)


@pytest.mark.parametrize("path", ["freelancers:list", "/api/v1/engagements/", "/api/v1/freelancers/"])
def test_a_list_reads_the_same_queries_at_3_and_at_40_rows(path, owner, owner_client, workspace,
                                                           django_assert_max_num_queries):
    client = owner_client if ":" in path else client_with(issue(owner, workspace, TokenRole.OWNER))
    url = reverse(path) if ":" in path else path
    grow(workspace, 3)
    with django_assert_max_num_queries(BOUND) as few:
        assert client.get(url).status_code == 200
    grow(workspace, 37)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    if ":" not in path:
        assert response.json()["count"] >= 40 and len(response.json()["results"]) == 25
