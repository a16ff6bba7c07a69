"""The end review: written once the engagement is over, ratings 1–5, the handover checklist,
and what the freelancer may read of it."""

import pytest
from django.core.exceptions import ValidationError

from engagements.selectors import shared_review
from engagements.services.lifecycle import engagement_complete
from engagements.services.review import review_save
from engagements.services.transitions import ConflictError

pytestmark = pytest.mark.django_db


def test_the_review_waits_for_the_end(active, owner):
    with pytest.raises(ConflictError):
        review_save(engagement=active, actor=owner, went_well="a", do_differently="b", quality=4,
                    communication=4, timeliness=4, rehire=True)


def test_the_review_records_ratings_and_the_handover(active, owner):
    engagement_complete(engagement=active, actor=owner)
    review = review_save(engagement=active, actor=owner, went_well="Clear updates", do_differently="Smaller "
                         "milestones", private_notes="Rate was high", quality=5, communication=5,
                         timeliness=4, rehire=True, source_files_delivered=True, licences_transferred=True,
                         access_revoked=True)
    assert active.review == review
    assert review.handover_complete and review.average_rating == 4.7
    review = review_save(engagement=active, actor=owner, went_well="Clear updates", do_differently="x",
                         quality=5, communication=5, timeliness=5, rehire=False)
    assert review.rehire is False
    assert "private_notes" not in shared_review(active)


def test_ratings_stay_between_1_and_5(active, owner):
    engagement_complete(engagement=active, actor=owner)
    with pytest.raises(ValidationError):
        review_save(engagement=active, actor=owner, went_well="a", do_differently="b", quality=6,
                    communication=0, timeliness=3, rehire=True)
