"""Engagements and their milestones.

The milestone state machine lives here, in one transition table, and every state change goes
through `milestone_transition` (engagements/transitions.py): a conditional UPDATE that fails
with a clear error when the row is no longer in a state the move is allowed from. Payments call
the same helper inside their own transaction.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from accounts.models import validate_currency


class EngagementKind(models.TextChoices):
    TRIAL = "trial", "Trial job"
    PROJECT = "project", "Project"
    RETAINER = "retainer", "Retainer"


class PayTerms(models.TextChoices):
    FIXED = "fixed", "Fixed-price milestones"
    HOURLY = "hourly", "Hourly with a weekly cap"


class ReportingPreference(models.TextChoices):
    PROGRESS = "progress", "Progress reports"
    DELIVERY = "delivery", "Delivery only"


class EngagementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OFFERED = "offered", "Offered"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


ENGAGEMENT_TRANSITIONS = {
    EngagementStatus.DRAFT: {EngagementStatus.OFFERED, EngagementStatus.CANCELLED},
    EngagementStatus.OFFERED: {EngagementStatus.ACTIVE, EngagementStatus.DRAFT, EngagementStatus.CANCELLED},
    EngagementStatus.ACTIVE: {EngagementStatus.PAUSED, EngagementStatus.COMPLETED, EngagementStatus.CANCELLED},
    EngagementStatus.PAUSED: {EngagementStatus.ACTIVE, EngagementStatus.CANCELLED},
    EngagementStatus.COMPLETED: set(),
    EngagementStatus.CANCELLED: set(),
}


class Engagement(models.Model):
    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="engagements")
    freelancer = models.ForeignKey("freelancers.Freelancer", on_delete=models.PROTECT, related_name="engagements")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=EngagementKind.choices, default=EngagementKind.PROJECT)
    pay_terms = models.CharField(max_length=16, choices=PayTerms.choices, default=PayTerms.FIXED)
    weekly_hour_cap = models.PositiveSmallIntegerField(null=True, blank=True)
    # Money in minor units of `currency`.
    budget = models.PositiveBigIntegerField(default=0)
    contingency_percent = models.PositiveSmallIntegerField(default=15, validators=[MaxValueValidator(100)])
    currency = models.CharField(max_length=3, default="USD", validators=[validate_currency])
    starts_on = models.DateField(null=True, blank=True)
    target_end_on = models.DateField(null=True, blank=True)
    update_every_days = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    update_grace_hours = models.PositiveSmallIntegerField(default=12, validators=[MaxValueValidator(168)])
    checkin_every_days = models.PositiveSmallIntegerField(
        default=7, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    reporting_preference = models.CharField(
        max_length=16, choices=ReportingPreference.choices, default=ReportingPreference.PROGRESS
    )
    subcontracting_allowed = models.BooleanField(default=False)
    backups = models.ManyToManyField("freelancers.Freelancer", blank=True, related_name="backup_for")
    status = models.CharField(max_length=16, choices=EngagementStatus.choices, default=EngagementStatus.DRAFT)
    # Deadlines: indexed columns recomputed whenever their inputs change (DESIGN.md).
    next_update_due_at = models.DateTimeField(null=True, blank=True)
    next_checkin_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["workspace", "status"], name="engagement_ws_status"),
            models.Index(
                fields=["next_update_due_at"], name="engagement_update_due",
                condition=models.Q(status="active"),
            ),
            models.Index(
                fields=["next_checkin_at"], name="engagement_checkin_due",
                condition=models.Q(status="active"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target_end_on__isnull=True) | models.Q(starts_on__isnull=True)
                | models.Q(target_end_on__gte=models.F("starts_on")),
                name="engagement_end_after_start",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def contingency_amount(self):
        return self.budget * self.contingency_percent // 100

    @property
    def budget_with_contingency(self):
        return self.budget + self.contingency_amount


class MilestoneState(models.TextChoices):
    DRAFT = "draft", "Draft"
    FUNDED = "funded", "Funded"
    SUBMITTED = "submitted", "Submitted"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    DISPUTED = "disputed", "Disputed"
    RELEASED = "released", "Released"
    REFUNDED = "refunded", "Refunded"
    SPLIT = "split", "Split"


S = MilestoneState
# The milestone state machine, the only one: state → states it may move to (DESIGN.md).
MILESTONE_TRANSITIONS = {
    S.DRAFT: {S.FUNDED},
    S.FUNDED: {S.SUBMITTED, S.DISPUTED, S.REFUNDED},
    S.SUBMITTED: {S.RELEASED, S.CHANGES_REQUESTED, S.DISPUTED},
    S.CHANGES_REQUESTED: {S.SUBMITTED, S.DISPUTED},
    S.DISPUTED: {S.RELEASED, S.REFUNDED, S.SPLIT},
    S.RELEASED: set(),
    S.REFUNDED: set(),
    S.SPLIT: set(),
}
MILESTONE_FINAL_STATES = frozenset({S.RELEASED, S.REFUNDED, S.SPLIT})


def allowed_from(to_state):
    """The states a milestone may be in for a move to `to_state`."""
    return {src for src, targets in MILESTONE_TRANSITIONS.items() if to_state in targets}


class Milestone(models.Model):
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="milestones")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    acceptance_criteria = models.TextField(help_text="How you will decide the work is done.")
    due_on = models.DateField(null=True, blank=True)
    # `due_on` at the end of the day in the freelancer's timezone, in UTC (the reminder deadline).
    due_at = models.DateTimeField(null=True, blank=True)
    amount = models.PositiveBigIntegerField(validators=[MinValueValidator(1)])
    currency = models.CharField(max_length=3, default="USD", validators=[validate_currency])
    state = models.CharField(max_length=20, choices=MilestoneState.choices, default=MilestoneState.DRAFT)
    # When a submitted milestone is auto-released if not reviewed (payments).
    review_deadline_at = models.DateTimeField(null=True, blank=True)
    state_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["engagement", "position", "id"]
        indexes = [
            models.Index(
                fields=["review_deadline_at"], name="milestone_review_due",
                condition=models.Q(state="submitted"),
            ),
            models.Index(
                fields=["due_at"], name="milestone_due",
                condition=models.Q(state__in=["draft", "funded", "changes_requested"]),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="milestone_amount_positive"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_final(self):
        return self.state in MILESTONE_FINAL_STATES
