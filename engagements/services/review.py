"""The end review: what went well, what to do differently (shared with the freelancer), private
notes, ratings, rehire, and the handover checklist."""

from django.db import transaction

from ..models import ActivityKind, Engagement, Review
from .activity import activity_record
from .transitions import ConflictError

REVIEW_FIELDS = {
    "went_well", "do_differently", "private_notes", "quality", "communication", "timeliness", "rehire",
    "source_files_delivered", "licences_transferred", "access_revoked",
}


@transaction.atomic
def review_save(*, engagement, actor, **fields):
    """Write or rewrite the review of a finished engagement."""
    unknown = set(fields) - REVIEW_FIELDS
    if unknown:
        raise TypeError(f"Unknown review fields: {sorted(unknown)}")
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    if not engagement.is_ended:
        raise ConflictError("The review is written when the engagement is completed or cancelled.")
    review = Review.objects.filter(engagement=engagement).first()
    created = review is None
    if created:
        review = Review(engagement=engagement, created_by=actor)
    for name, value in fields.items():
        setattr(review, name, value.strip() if isinstance(value, str) else value)
    review.full_clean()
    review.save()
    activity_record(
        engagement=engagement, kind=ActivityKind.REVIEW_SAVED, actor_user=actor,
        summary=("Wrote the end review" if created else "Updated the end review")
        + f" ({review.average_rating}/5, {'would rehire' if review.rehire else 'would not rehire'}).",
    )
    return review
