"""The reads pages share: the pool's search, the vetting scorecard's aggregation, the decisions
open to a freelancer, and trial jobs and reviews read through what engagements declares."""

import pytest
from django.urls import reverse

from engagements.models import Review
from freelancers import selectors
from freelancers.models import FreelancerStatus
from freelancers.selectors import Filters, freelancer_search
from freelancers.services import reference as references
from freelancers.tests.conftest import engagement_for
from freelancers.tests.factories import FreelancerFactory, ReferenceFactory


def test_the_scorecard_aggregates_references_and_interviews(vetted):
    card = selectors.scorecard(vetted)
    assert card.references_received_count == 2 and len(card.references) == 4
    assert card.reference_averages == [("Quality of work", 4.0), ("Reliability", 4.0), ("Communication", 4.5),
                                       ("Meeting deadlines", 2.5)]
    assert card.reference_overall == 3.75  # (4.0 + 3.5) / 2
    assert (card.would_rehire_yes, card.would_rehire_no) == (1, 1)
    assert card.criterion_averages == [("Communication", 3.0, 2), ("Relevant skill", 5.0, 1),
                                       ("Professionalism", 4.0, 1)]
    assert card.interview_overall == 3.75  # (4 + 5 + 2 + 4) / 4
    assert [(f["key"], f["count"]) for f in card.red_flags] == [("timeline", 2), ("scope", 1)]
    assert len(card.warnings) == 1 and "2 red flags" in card.warnings[0]


@pytest.mark.parametrize("status,do_not_hire,open_", [
    (FreelancerStatus.PROSPECT, False, ["rejected"]),
    (FreelancerStatus.VETTING, False, ["approved", "rejected"]),
    (FreelancerStatus.VETTING, True, ["rejected"]),
    (FreelancerStatus.APPROVED, False, ["rejected"]),
    (FreelancerStatus.REJECTED, False, []),
])
def test_the_decisions_offered_follow_the_pipeline(workspace, status, do_not_hire, open_):
    freelancer = FreelancerFactory(workspace=workspace, status=status, do_not_hire=do_not_hire,
                                   do_not_hire_reason="No-show" if do_not_hire else "")
    assert [v.value for v in selectors.open_verdicts(freelancer)] == open_


def test_trial_jobs_appear_with_their_status(owner_client, vetted):
    engagement_for(vetted, kind="trial", status="active")
    engagement_for(vetted, kind="project", status="draft", title="Big project")
    card = selectors.scorecard(vetted)
    assert [t["engagement"].title for t in card.trials] == ["Trial logo"]
    assert card.trials[0]["review"] is None
    body = owner_client.get(reverse("freelancers:scorecard", args=[vetted.pk])).content.decode()
    assert "Trial logo" in body and "Not reviewed yet" in body and "Big project" not in body


def test_a_trial_review_is_shown_on_the_scorecard(owner_client, owner, vetted):
    trial = engagement_for(vetted, kind="trial", status="completed")
    Review.objects.create(engagement=trial, went_well="Fast", do_differently="More updates", quality=5,
                          communication=4, timeliness=3, rehire=True)
    card = selectors.scorecard(vetted)
    assert card.trials[0]["review"]["average"] == 4.0 and card.trials[0]["review"]["rehire"] is True
    body = owner_client.get(reverse("freelancers:scorecard", args=[vetted.pk])).content.decode()
    assert "Would rehire" in body and "4/5" in body


def test_requested_references_are_not_counted_as_received(freelancer, owner):
    ref = ReferenceFactory(freelancer=freelancer)
    references.reference_request(reference=ref, actor=owner)
    assert selectors.scorecard(freelancer).references_received_count == 0


def test_vetting_shows_of_a_review_the_ratings_engagements_declares(freelancer):
    trial = engagement_for(freelancer, kind="trial", status="completed")
    review = Review.objects.create(engagement=trial, went_well="-", do_differently="-", quality=5, communication=4,
                                   timeliness=3, rehire=True)
    summary = selectors.review_summary(review)
    assert summary["ratings"] == review.ratings() == [("Quality", 5), ("Communication", 4), ("Timeliness", 3)]
    assert summary["average"] == 4.0 and summary["rehire"] is True


def test_a_review_summary_follows_the_declared_interface_not_field_types():
    class Declared:  # all that vetting may read of a review
        rehire = False
        created_at = None

        def ratings(self):
            return [("Speed", 4), ("Care", 2)]

    summary = selectors.review_summary(Declared())
    assert summary["ratings"] == [("Speed", 4), ("Care", 2)]
    assert summary["average"] == 3.0 and summary["rehire"] is False


S = FreelancerStatus


@pytest.fixture
def pool(workspace):
    return {
        "ana": FreelancerFactory(workspace=workspace, name="Ana", skills=["figma", "logo design"],
                                 timezone="Europe/Lisbon", rate_amount=4000, status=S.APPROVED),
        "bo": FreelancerFactory(workspace=workspace, name="Bo", skills=["python", "django"],
                                timezone="Asia/Manila", rate_amount=2500, headline="Backend developer"),
        "cy": FreelancerFactory(workspace=workspace, name="Cy", skills=["python"], timezone="Europe/Lisbon",
                                rate_amount=9000, status=S.VETTING, notes="Knows Celery well"),
        "di": FreelancerFactory(workspace=workspace, name="Di", skills=["café design"], rate_amount=None,
                                timezone="UTC", do_not_hire=True, do_not_hire_reason="No-show", status=S.APPROVED),
    }


def names(qs):
    return sorted(f.name for f in qs)


def test_the_list_filters_by_status_skill_timezone_rate_and_text(workspace, pool):
    def search(**kw):
        return names(freelancer_search(workspace, Filters(**kw)))

    assert search(status="approved") == ["Ana", "Di"]
    assert search(status="do_not_hire") == ["Di"]
    assert search(skill="Python") == ["Bo", "Cy"]
    assert search(skill="pyth") == []  # a tag, not a substring
    assert search(skill="café design") == ["Di"]
    assert search(timezone="Europe/Lisbon") == ["Ana", "Cy"]
    assert search(rate_min=30) == ["Ana", "Cy"]
    assert search(rate_min=25, rate_max=40) == ["Ana", "Bo"]
    assert search(q="celery") == ["Cy"]
    assert search(q="backend") == ["Bo"]
    assert search(q="django") == ["Bo"]
    assert search(skill="python", timezone="Europe/Lisbon") == ["Cy"]
