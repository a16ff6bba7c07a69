"""The reliability record of a freelancer, derived from their engagements (five queries), and
what the freelancer may read of an end review."""

import statistics
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, F, Min, Q
from django.utils import timezone

from ..models import (
    Engagement,
    EngagementStatus,
    Message,
    Milestone,
    MilestoneState,
    Review,
    StatusUpdate,
    SubmissionOutcome,
)


def shared_review(engagement):
    """What the freelancer may read of the review (never the private notes)."""
    review = Review.objects.filter(engagement=engagement).first()
    if review is None:
        return None
    return {"went_well": review.went_well, "do_differently": review.do_differently, "rehire": review.rehire,
            "quality": review.quality, "communication": review.communication, "timeliness": review.timeliness}


@dataclass
class ReliabilityRecord:
    updates: int = 0
    updates_on_time: int = 0
    milestones: int = 0
    milestones_on_time: int = 0
    submitted_milestones: int = 0
    revision_rounds: int = 0
    responses: int = 0
    response_total: timedelta = timedelta(0)
    engagements: int = 0
    completed: int = 0
    reviews: int = 0
    rehire_yes: int = 0
    rating_total: float = 0.0
    # How long the freelancer took to answer the owner's side in the conversation, one per answer.
    message_responses: list = field(default_factory=list)

    @staticmethod
    def _rate(part, whole):
        return round(part / whole, 3) if whole else None

    @property
    def on_time_update_rate(self):
        return self._rate(self.updates_on_time, self.updates)

    @property
    def on_time_milestone_rate(self):
        return self._rate(self.milestones_on_time, self.milestones)

    @property
    def average_revision_rounds(self):
        return round(self.revision_rounds / self.submitted_milestones, 2) if self.submitted_milestones else None

    @property
    def average_response_time(self):
        return self.response_total / self.responses if self.responses else None

    @property
    def median_message_response(self):
        return statistics.median(self.message_responses) if self.message_responses else None

    @property
    def average_rating(self):
        return round(self.rating_total / self.reviews, 1) if self.reviews else None

    @property
    def has_data(self):
        return bool(self.updates or self.milestones or self.submitted_milestones or self.responses or self.reviews
                    or self.message_responses)

    def as_dict(self):
        response = self.average_response_time
        return {
            "engagements": self.engagements,
            "completed_engagements": self.completed,
            "status_updates": self.updates,
            "on_time_update_rate": self.on_time_update_rate,
            "milestones_with_due_dates": self.milestones,
            "on_time_milestone_rate": self.on_time_milestone_rate,
            "average_revision_rounds": self.average_revision_rounds,
            "average_response_hours": round(response.total_seconds() / 3600, 1) if response is not None else None,
            "median_message_response_hours": (round(self.median_message_response.total_seconds() / 3600, 1)
                                              if self.message_responses else None),
            "reviews": self.reviews,
            "average_rating": self.average_rating,
            "would_rehire": self.rehire_yes,
        }


def reliability_record(freelancer, now=None):
    """Derived from the freelancer's engagements (four queries):

    - on-time update rate: status updates not marked late / all updates;
    - on-time milestone rate: of milestones with a due date that were submitted or are funded and
      past due, those first submitted by the end of the due day;
    - average revision rounds: changes requested per submitted milestone;
    - time to first response: from the offer to the freelancer's first acknowledgement or
      question, averaged over engagements;
    - median response time to the owner's messages: from the first of the owner's side's
      messages the freelancer had not yet answered to the freelancer's next message.
    """
    now = now or timezone.now()
    record = ReliabilityRecord()
    updates = StatusUpdate.objects.filter(freelancer=freelancer).aggregate(
        total=Count("pk"), on_time=Count("pk", filter=Q(late=False)))
    record.updates, record.updates_on_time = updates["total"], updates["on_time"]

    milestones = (
        Milestone.objects.filter(engagement__freelancer=freelancer)
        .annotate(first_submitted=Min("submissions__submitted_at"),
                  changes=Count("submissions", filter=Q(submissions__outcome=SubmissionOutcome.CHANGES_REQUESTED)))
        .values("due_at", "state", "first_submitted", "changes")
    )
    for m in milestones:
        if m["first_submitted"] is not None:
            record.submitted_milestones += 1
            record.revision_rounds += m["changes"]
        if m["due_at"] is None:
            continue
        if m["first_submitted"] is not None:
            record.milestones += 1
            record.milestones_on_time += m["first_submitted"] <= m["due_at"]
        elif m["state"] == MilestoneState.FUNDED and m["due_at"] < now:
            record.milestones += 1

    engagements = (
        Engagement.objects.filter(freelancer=freelancer)
        .annotate(
            first_ack=Min("briefs__acknowledged_at", filter=Q(briefs__acknowledged_at__gte=F("offered_at"))),
            first_question=Min("questions__asked_at", filter=Q(questions__asked_at__gte=F("offered_at"))),
        )
        .values("status", "offered_at", "first_ack", "first_question")
    )
    for e in engagements:
        record.engagements += 1
        record.completed += e["status"] == EngagementStatus.COMPLETED
        firsts = [m for m in (e["first_ack"], e["first_question"]) if m is not None]
        if e["offered_at"] and firsts:
            record.responses += 1
            record.response_total += min(firsts) - e["offered_at"]

    record.message_responses = message_response_times(freelancer)

    for review in Review.objects.filter(engagement__freelancer=freelancer).values(
            "quality", "communication", "timeliness", "rehire"):
        record.reviews += 1
        record.rehire_yes += review["rehire"]
        record.rating_total += (review["quality"] + review["communication"] + review["timeliness"]) / 3
    return record


def message_response_times(freelancer):
    """For each time the owner's side wrote and the freelancer answered: how long the answer took,
    from the first message still waiting for it (one query, over all their engagements)."""
    times, waiting = [], {}
    rows = (Message.objects.filter(engagement__freelancer=freelancer, retracted_at__isnull=True)
            .order_by("engagement_id", "created_at", "id").values_list("engagement_id", "author_freelancer_id",
                                                                       "created_at"))
    for engagement_id, from_freelancer, at in rows:
        if from_freelancer is None:
            waiting.setdefault(engagement_id, at)
        elif engagement_id in waiting:
            times.append(at - waiting.pop(engagement_id))
    return times


def on_time_by_freelancer(freelancer_ids, now=None):
    """{freelancer id: ReliabilityRecord with only the on-time figures} for many freelancers in
    two queries (the dashboard's chart), counted by the same rules as `reliability_record`."""
    now = now or timezone.now()
    records = {pk: ReliabilityRecord() for pk in freelancer_ids}
    updates = (StatusUpdate.objects.filter(freelancer_id__in=freelancer_ids).values("freelancer_id")
               .annotate(total=Count("pk"), on_time=Count("pk", filter=Q(late=False))).order_by())
    for row in updates:
        records[row["freelancer_id"]].updates = row["total"]
        records[row["freelancer_id"]].updates_on_time = row["on_time"]
    milestones = (Milestone.objects.filter(engagement__freelancer_id__in=freelancer_ids, due_at__isnull=False)
                  .annotate(first_submitted=Min("submissions__submitted_at"))
                  .values("engagement__freelancer_id", "due_at", "state", "first_submitted"))
    for m in milestones:
        record = records[m["engagement__freelancer_id"]]
        if m["first_submitted"] is not None:
            record.milestones += 1
            record.milestones_on_time += m["first_submitted"] <= m["due_at"]
        elif m["state"] == MilestoneState.FUNDED and m["due_at"] < now:
            record.milestones += 1
    return records
