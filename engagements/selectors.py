"""Reads the owner pages and the API share. Each returns a fixed number of queries however many
rows there are (the list and detail pages are tested for it)."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import (
    AccessGrant,
    Activity,
    Brief,
    BriefQuestion,
    CheckIn,
    CheckInStatus,
    Engagement,
    EngagementStatus,
    Milestone,
    MilestoneState,
    Review,
    StatusUpdate,
    Submission,
    SubmissionOutcome,
)

# Milestone states in which a passed due date means the work is late (the `milestone_due` index).
OPEN_WORK_STATES = [MilestoneState.DRAFT, MilestoneState.FUNDED, MilestoneState.CHANGES_REQUESTED]


def overdue_milestones(now):
    return Milestone.objects.filter(engagement=OuterRef("pk"), due_at__lt=now, state__in=OPEN_WORK_STATES)


def at_risk_q(now):
    """Active and either the status update or a milestone is overdue, or it has gone quiet (the
    silence detector, engagements.reminders)."""
    return Q(status=EngagementStatus.ACTIVE) & (
        Q(next_update_due_at__lt=now) | Q(Exists(overdue_milestones(now))) | Q(gone_quiet_at__isnull=False)
    )


def engagement_list(workspace, *, status=None, freelancer_id=None, at_risk=False, now=None):
    now = now or timezone.now()
    latest_update = StatusUpdate.objects.filter(engagement=OuterRef("pk")).order_by("-created_at", "-id")
    latest_brief = Brief.objects.filter(engagement=OuterRef("pk")).order_by("-version")
    planned = (
        Milestone.objects.filter(engagement=OuterRef("pk")).exclude(state=MilestoneState.REFUNDED)
        .order_by().values("engagement").annotate(total=Sum("amount")).values("total")
    )
    qs = (
        Engagement.objects.filter(workspace=workspace)
        .select_related("freelancer")
        .annotate(
            update_overdue=Case(
                When(status=EngagementStatus.ACTIVE, next_update_due_at__lt=now, then=Value(True)),
                default=Value(False), output_field=BooleanField(),
            ),
            milestone_overdue=Exists(overdue_milestones(now)),
            planned_total=Coalesce(Subquery(planned, output_field=IntegerField()), Value(0)),
            last_update_at=Subquery(latest_update.values("created_at")[:1]),
            last_percent=Subquery(latest_update.values("percent_complete")[:1]),
            brief_version=Subquery(latest_brief.values("version")[:1]),
            brief_acknowledged_at=Subquery(latest_brief.values("acknowledged_at")[:1]),
            brief_sent_at=Subquery(latest_brief.values("sent_at")[:1]),
        )
        .order_by("-created_at", "-id")
    )
    if status:
        qs = qs.filter(status=status)
    if freelancer_id:
        qs = qs.filter(freelancer_id=freelancer_id)
    if at_risk:
        qs = qs.filter(at_risk_q(now))
    return qs


def engagement_counts(workspace, now=None):
    now = now or timezone.now()
    return Engagement.objects.filter(workspace=workspace).aggregate(
        active=Count("pk", filter=Q(status=EngagementStatus.ACTIVE)),
        offered=Count("pk", filter=Q(status=EngagementStatus.OFFERED)),
        at_risk=Count("pk", filter=at_risk_q(now)),
    )


def rotation_checklist(workspace):
    """Revoked secrets the owner has not yet said were rotated."""
    return (
        AccessGrant.objects.filter(engagement__workspace=workspace, revoked_at__isnull=False, rotated_at__isnull=True)
        .exclude(secret_token="")
        .select_related("engagement")
        .annotate(reveal_count=Count("reveals"))
        .order_by("revoked_at", "id")
    )


def milestones_with_rounds(engagement):
    return (
        Milestone.objects.filter(engagement=engagement)
        .annotate(
            rounds=Count("submissions"),
            changes_requested_rounds=Count(
                "submissions", filter=Q(submissions__outcome=SubmissionOutcome.CHANGES_REQUESTED)),
        )
        .order_by("position", "id")
    )


@dataclass
class BudgetFigures:
    currency: str
    budget: int
    contingency: int
    ceiling: int
    planned: int
    by_state: dict = field(default_factory=dict)

    @property
    def over_budget(self):
        return self.budget and self.planned > self.budget

    @property
    def over_ceiling(self):
        return self.budget and self.planned > self.ceiling

    @property
    def by_state_rows(self):
        return [(state, MilestoneState(state).label, amount) for state, amount in self.by_state.items()]

    @property
    def remaining(self):
        return self.budget - self.planned

    @property
    def over_by(self):
        return max(0, self.planned - self.budget)

    @property
    def used_percent(self):
        return min(100, round(self.planned * 100 / self.budget)) if self.budget else 0


def budget_figures(engagement, milestones):
    by_state = {}
    for m in milestones:
        by_state[m.state] = by_state.get(m.state, 0) + m.amount
    planned = sum(v for k, v in by_state.items() if k != MilestoneState.REFUNDED)
    return BudgetFigures(
        currency=engagement.currency, budget=engagement.budget, contingency=engagement.contingency_amount,
        ceiling=engagement.budget_with_contingency, planned=planned, by_state=by_state,
    )


def engagement_detail(workspace, pk):
    """The engagement with what its page shows up front; raises Engagement.DoesNotExist."""
    return (
        Engagement.objects.filter(workspace=workspace, pk=pk)
        .select_related("freelancer", "created_by", "workspace")
        .prefetch_related("backups", "playbook")
        .get()
    )


def timeline(engagement, limit=None):
    qs = Activity.objects.filter(engagement=engagement).select_related("actor_user", "actor_freelancer")
    return qs[:limit] if limit else qs


def latest_update(engagement):
    return StatusUpdate.objects.filter(engagement=engagement).select_related("freelancer").first()


def upcoming_checkins(engagement):
    return CheckIn.objects.filter(engagement=engagement, status=CheckInStatus.SCHEDULED).order_by("scheduled_at")


def open_questions(engagement):
    return BriefQuestion.objects.filter(engagement=engagement, answered_at__isnull=True).select_related(
        "asked_by", "brief")


def submissions_for(milestone):
    return (
        Submission.objects.filter(milestone=milestone)
        .select_related("submitted_by", "feedback_by")
        .prefetch_related("files")
        .order_by("-round")
    )


# The money moves on a milestone live in payments (pages named `payments:milestone_action`);
# the milestone page links to the ones that fit its state. Accepting work is releasing it.
MONEY_ACTIONS = {
    MilestoneState.DRAFT: [("fund", "Fund it (hold the money in escrow)…", "btn-primary")],
    MilestoneState.FUNDED: [("refund", "Cancel and refund…", "btn-outline-warning"),
                            ("dispute", "Open a dispute…", "btn-outline-danger")],
    MilestoneState.SUBMITTED: [("release", "Accept the work and release the payment…", "btn-success"),
                               ("extend", "Extend the review…", "btn-outline-secondary"),
                               ("dispute", "Open a dispute…", "btn-outline-danger")],
    MilestoneState.CHANGES_REQUESTED: [("dispute", "Open a dispute…", "btn-outline-danger")],
    MilestoneState.DISPUTED: [("resolve", "Resolve the dispute…", "btn-primary")],
}


def money_actions(milestone):
    """(action, label, button class) for the payments pages that fit the milestone's state."""
    if milestone.engagement.is_ended:
        return []
    return MONEY_ACTIONS.get(MilestoneState(milestone.state), [])


def latest_round_outcome(milestone, submission):
    """What became of the latest round: the owner's decision is recorded on it when they ask for
    changes; acceptance, a dispute or a refund is the milestone's own state (payments)."""
    if submission.outcome != SubmissionOutcome.PENDING:
        return submission.get_outcome_display()
    return {
        MilestoneState.SUBMITTED: "Waiting for review",
        MilestoneState.RELEASED: "Accepted and released",
        MilestoneState.DISPUTED: "Disputed",
        MilestoneState.REFUNDED: "Refunded",
        MilestoneState.SPLIT: "Settled by a split",
    }.get(MilestoneState(milestone.state), submission.get_outcome_display())


def grants_for(engagement):
    return (
        AccessGrant.objects.filter(engagement=engagement)
        .select_related("created_by", "revoked_by", "rotated_by")
        .annotate(reveal_count=Count("reveals"))
        .order_by("revoked_at", "label", "id")
    )


def reveal_log(engagement, limit=200):
    from .models import AccessReveal

    return AccessReveal.objects.filter(grant__engagement=engagement).select_related("grant", "freelancer", "user")[
        :limit]


def shared_review(engagement):
    """What the freelancer may read of the review (never the private notes)."""
    review = Review.objects.filter(engagement=engagement).first()
    if review is None:
        return None
    return {"went_well": review.went_well, "do_differently": review.do_differently, "rehire": review.rehire,
            "quality": review.quality, "communication": review.communication, "timeliness": review.timeliness}


# --- Reliability record ------------------------------------------------------------------------
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
    def average_rating(self):
        return round(self.rating_total / self.reviews, 1) if self.reviews else None

    @property
    def has_data(self):
        return bool(self.updates or self.milestones or self.submitted_milestones or self.responses or self.reviews)

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
      question, averaged over engagements.
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

    for review in Review.objects.filter(engagement__freelancer=freelancer).values(
            "quality", "communication", "timeliness", "rehire"):
        record.reviews += 1
        record.rehire_yes += review["rehire"]
        record.rating_total += (review["quality"] + review["communication"] + review["timeliness"]) / 3
    return record

