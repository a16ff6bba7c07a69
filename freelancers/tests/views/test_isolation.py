"""Workspace isolation on every owner page: another workspace's freelancer, reference, interview,
sample or testimonial is a 404; anonymous visitors are sent to log in; nothing changes."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from freelancers import models as m
from freelancers.models import Freelancer, Interview, Reference, Sample
from freelancers.services import interview as interviews
from freelancers.services import portfolio as services
from freelancers.tests.factories import ReferenceFactory


@pytest.fixture
def theirs(workspace, owner, freelancer, media):
    """Objects in the owner's workspace ("Acme Studio"), to be poked at by the outsider."""
    return {
        "freelancer": freelancer,
        "reference": ReferenceFactory(freelancer=freelancer),
        "interview": interviews.interview_schedule(freelancer=freelancer, actor=owner,
                                                   scheduled_at=timezone.now() + timedelta(days=1)),
        "sample": services.sample_add(freelancer=freelancer, title="Board",
                                      upload=SimpleUploadedFile("b.png", b"\x89PNG\r\n\x1a\n" + b"0" * 10)),
        "testimonial": services.testimonial_add(freelancer=freelancer, quote="Good", author="Ann"),
    }


GET_VIEWS = [
    ("detail", "freelancer"), ("edit", "freelancer"), ("scorecard", "freelancer"), ("sample_add", "freelancer"),
    ("testimonial_add", "freelancer"), ("reference_add", "freelancer"), ("interview_add", "freelancer"),
    ("sample_download", "sample"), ("interview", "interview"), ("interview_reschedule", "interview"),
]
POST_VIEWS = [
    ("edit", "freelancer", {"name": "Hacked", "email": "h@example.net", "timezone": "UTC", "rate_unit": "hour",
                            "currency": "USD"}),
    ("move", "freelancer", {"to": "vetting"}),
    ("do_not_hire", "freelancer", {"action": "mark", "reason": "sabotage"}),
    ("scorecard", "freelancer", {"decision": "rejected", "reason": "sabotage"}),
    ("sample_add", "freelancer", {"title": "x", "url": "https://example.com"}),
    ("testimonial_add", "freelancer", {"quote": "x", "author": "y"}),
    ("reference_add", "freelancer", {"name": "x", "email": "x@example.com", "relationship": "x"}),
    ("interview_add", "freelancer", {"scheduled_at": "2099-01-01T10:00", "duration_minutes": 15, "kind": "intro"}),
    ("sample_delete", "sample", {}),
    ("testimonial_delete", "testimonial", {}),
    ("reference_request", "reference", {}),
    ("reference_delete", "reference", {}),
    ("interview", "interview", {"score_0": "1", "outcome": "reject"}),
    ("interview_reschedule", "interview", {"scheduled_at": "2099-01-01T10:00", "duration_minutes": 15,
                                           "kind": "intro"}),
    ("interview_cancel", "interview", {}),
]


def snapshot():
    return (
        list(Freelancer.objects.values_list("name", "status", "do_not_hire").order_by("pk")),
        list(Reference.objects.values_list("status").order_by("pk")),
        list(Interview.objects.values_list("scheduled_at", "cancelled_at", "outcome").order_by("pk")),
        Sample.objects.count(), m.Testimonial.objects.count(),
    )


@pytest.mark.parametrize("name,obj", GET_VIEWS)
def test_another_workspace_gets_404_on_every_page(outsider_client, theirs, name, obj):
    assert outsider_client.get(reverse(f"freelancers:{name}", args=[theirs[obj].pk])).status_code == 404


@pytest.mark.parametrize("name,obj,data", POST_VIEWS)
def test_another_workspace_gets_404_on_every_action_and_changes_nothing(outsider_client, theirs, name, obj, data):
    before = snapshot()
    response = outsider_client.post(reverse(f"freelancers:{name}", args=[theirs[obj].pk]), data)
    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("name,obj", GET_VIEWS)
def test_anonymous_visitors_are_sent_to_log_in(client, theirs, name, obj):
    response = client.get(reverse(f"freelancers:{name}", args=[theirs[obj].pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", ["list", "board", "bench", "criteria", "create"])
def test_workspace_pages_need_a_login(client, name):
    response = client.get(reverse(f"freelancers:{name}"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_lists_show_only_the_current_workspace(outsider_client, theirs, other_freelancer):
    for name in ("list", "board"):
        body = outsider_client.get(reverse(f"freelancers:{name}")).content.decode()
        assert "Olga Other" in body and "Frida Lance" not in body


def test_a_user_without_a_workspace_gets_404(client, theirs):
    from accounts.tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(reverse("freelancers:list")).status_code == 404
    assert client.get(reverse("freelancers:detail", args=[theirs["freelancer"].pk])).status_code == 404


def test_testimonials_cannot_be_verified_by_another_freelancers_reference(owner_client, workspace, freelancer):
    from freelancers.tests.factories import FreelancerFactory

    other = FreelancerFactory(workspace=workspace)
    foreign = ReferenceFactory(freelancer=other, status="received")
    response = owner_client.post(reverse("freelancers:testimonial_add", args=[freelancer.pk]),
                                 {"quote": "x", "author": "y", "verified_by": foreign.pk})
    assert "verified_by" in response.context["form"].errors
