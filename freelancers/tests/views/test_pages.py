"""Every owner page renders for the owner and a manager, with real data on it."""

import pytest
from django.urls import reverse
from django.utils import timezone

from freelancers.models import InterviewOutcome, RedFlag
from freelancers.services import interview as interviews
from freelancers.services import portfolio as services
from freelancers.services import reference as references
from freelancers.tests.factories import FreelancerFactory, ReferenceFactory


@pytest.fixture
def populated(workspace, owner, freelancer):
    ref = ReferenceFactory(freelancer=freelancer)
    references.reference_request(reference=ref, actor=owner)
    interview = interviews.interview_schedule(
        freelancer=freelancer, actor=owner, scheduled_at=timezone.now() + timezone.timedelta(days=1))
    interviews.interview_score(interview=interview, actor=owner, scores={"Communication": 4},
                               red_flags=[RedFlag.SCOPE], notes="ok", outcome=InterviewOutcome.ADVANCE)
    services.testimonial_add(freelancer=freelancer, quote="Great", author="Ann")
    services.sample_add(freelancer=freelancer, actor=owner, title="Logo", url="https://example.com/logo")
    FreelancerFactory(workspace=workspace, status="approved", name="Ben Bench")
    return {"freelancer": freelancer, "reference": ref, "interview": interview}


def urls(data):
    f, i = data["freelancer"], data["interview"]
    return [
        reverse("freelancers:list"), reverse("freelancers:list") + "?q=frida&status=vetting&skill=figma",
        reverse("freelancers:board"), reverse("freelancers:bench"), reverse("freelancers:criteria"),
        reverse("freelancers:create"), reverse("freelancers:detail", args=[f.pk]),
        reverse("freelancers:edit", args=[f.pk]), reverse("freelancers:scorecard", args=[f.pk]),
        reverse("freelancers:sample_add", args=[f.pk]), reverse("freelancers:testimonial_add", args=[f.pk]),
        reverse("freelancers:reference_add", args=[f.pk]), reverse("freelancers:interview_add", args=[f.pk]),
        reverse("freelancers:interview", args=[i.pk]), reverse("freelancers:interview_reschedule", args=[i.pk]),
    ]


def test_every_page_renders_for_the_owner(owner_client, populated):
    for url in urls(populated):
        response = owner_client.get(url)
        assert response.status_code == 200, url
    body = owner_client.get(reverse("freelancers:scorecard", args=[populated["freelancer"].pk])).content.decode()
    assert "Hesitated about the scope" in body
    assert "Ben Bench" in owner_client.get(reverse("freelancers:bench")).content.decode()


def test_every_page_renders_for_a_manager(manager_client, populated):
    for url in urls(populated):
        assert manager_client.get(url).status_code == 200, url
