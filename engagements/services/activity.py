"""The engagement timeline: one row per thing that happened, with who and when."""

from django.utils import timezone

from ..models import Activity


def activity_record(*, engagement, kind, summary, actor_user=None, actor_freelancer=None, milestone=None,
                    at=None):
    """Append a line to `engagement`'s timeline. Services call it inside their transaction, so
    a failed action leaves no trace. `summary` is shown as text (escaped), never as HTML, and
    must never hold a secret."""
    return Activity.objects.create(
        engagement=engagement, kind=str(kind), summary=summary[:300], actor_user=actor_user,
        actor_freelancer=actor_freelancer, milestone=milestone, created_at=at or timezone.now(),
    )
