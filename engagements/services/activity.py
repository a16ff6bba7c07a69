"""The engagement timeline: one row per thing that happened, with who and when."""

from django.utils import timezone

from accounts.bulk import insert_many, insert_one

from ..models import Activity


def activity_record(*, engagement, kind, summary, actor_user=None, actor_freelancer=None, milestone=None,
                    at=None):
    """Append a line to `engagement`'s timeline. Services call it inside their transaction, so
    a failed action leaves no trace. `summary` is shown as text (escaped), never as HTML, and
    must never hold a secret."""
    line = Activity(
        engagement=engagement, kind=str(kind), summary=summary[:300], actor_user=actor_user,
        actor_freelancer=actor_freelancer, milestone=milestone, created_at=at or timezone.now(),
    )
    insert_one(line)
    return line


def activity_record_many(lines, *, at=None):
    """Append many timeline lines with one INSERT (a sweep's batch): `lines` are dicts of
    `activity_record`'s arguments, with `engagement_id` / `milestone_id` for the objects."""
    at = at or timezone.now()
    insert_many(Activity, [
        {"engagement_id": line["engagement_id"], "kind": str(line["kind"]), "summary": line["summary"][:300],
         "actor_user_id": line.get("actor_user_id"), "actor_freelancer_id": line.get("actor_freelancer_id"),
         "milestone_id": line.get("milestone_id"), "created_at": line.get("at") or at}
        for line in lines
    ])
