"""The workspace home: the talent pool at a glance next to the team and recent emails."""

from django.urls import reverse

from freelancers.models import FreelancerStatus
from freelancers.tests.factories import FreelancerFactory


def test_a_new_workspace_is_shown_how_to_start(owner_client):
    body = owner_client.get("/").content.decode()
    assert "Talent pool" in body
    assert "Start with the freelancers you are considering" in body
    assert reverse("freelancers:create") in body


def test_it_counts_the_pipeline_and_the_bench(owner_client, workspace, outsider):
    for status, n in ((FreelancerStatus.PROSPECT, 2), (FreelancerStatus.VETTING, 1), (FreelancerStatus.APPROVED, 1)):
        FreelancerFactory.create_batch(n, workspace=workspace, status=status)
    FreelancerFactory.create_batch(3, workspace=outsider.memberships.get().workspace)  # not ours
    response = owner_client.get("/")
    summary = response.context["pipeline"]
    assert summary["total"] == 4 and summary["bench"] == 1
    assert {c["status"]: c["count"] for c in summary["columns"]} == {
        "prospect": 2, "vetting": 1, "approved": 1, "rejected": 0}
    body = response.content.decode()
    prospects = reverse("freelancers:list") + "?status=prospect"
    assert f'href="{prospects}"><span class="fs-4 fw-semibold">2</span> prospect' in body
    assert "Start with the freelancers" not in body


def test_home_shows_the_workspace_and_its_members(owner_client, workspace, manager):
    response = owner_client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Acme Studio" in body
    assert "manager@example.com" in body
