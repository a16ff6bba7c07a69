"""Milestones and the work handed in for them.

The milestone state machine lives here, in one transition table with what each move clears, and
every state change goes through `milestone_transition` (engagements/services/transitions.py): a
conditional UPDATE that fails with a clear error when the row is no longer in a state the move
is allowed from. Payments call the same helper inside their own transaction. Beside the
milestone: its submissions (one per round, with their files) and the freelancer's requests for a
new due date.
"""

import secrets

from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from accounts.indexes import document_index
from accounts.models import validate_currency

from .engagement import Engagement


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
# Work still to be handed in: a passed due date makes it late, it is reminded about, and it may
# get a new date (the partial indexes on the due date columns hold these states).
OPEN_WORK_STATES = frozenset({S.DRAFT, S.FUNDED, S.CHANGES_REQUESTED})
# Escrow holds money for the milestone (or a claim on it): an engagement cannot end while one is.
MONEY_HELD_STATES = frozenset({S.FUNDED, S.SUBMITTED, S.CHANGES_REQUESTED, S.DISPUTED})
# What a move INTO each state clears, in the same UPDATE as the state (milestone_transition):
# columns that only meant something in the state left behind, so no caller can leave one set.
# The review deadline (the auto-release moment) runs only while submitted work waits for review.
MILESTONE_CLEARS = {
    S.DRAFT: ("review_deadline_at",),
    S.FUNDED: ("review_deadline_at",),
    S.SUBMITTED: (),
    S.CHANGES_REQUESTED: ("review_deadline_at",),
    S.DISPUTED: ("review_deadline_at",),
    S.RELEASED: ("review_deadline_at",),
    S.REFUNDED: ("review_deadline_at",),
    S.SPLIT: ("review_deadline_at",),
}


def allowed_from(to_state):
    """The states a milestone may be in for a move to `to_state`."""
    return {src for src, targets in MILESTONE_TRANSITIONS.items() if to_state in targets}


# What the search box reads of a milestone (its rank weighs them A, B).
MILESTONE_SEARCH_FIELDS = ("title", "acceptance_criteria")


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
    # Due-date reminders (engagements/reminders/milestones.py): 0 → "due in 2 days" to the freelancer,
    # 1 → "overdue" to the freelancer and the owner, 2 done. Re-armed when the date changes.
    due_reminder_at = models.DateTimeField(null=True, blank=True, editable=False)
    due_reminder_step = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["engagement", "position", "id"]
        indexes = [
            models.Index(
                fields=["due_reminder_at"], name="milestone_due_reminder",
                condition=models.Q(state__in=["draft", "funded", "changes_requested"]),
            ),
            models.Index(
                fields=["review_deadline_at"], name="milestone_review_due",
                condition=models.Q(state="submitted"),
            ),
            models.Index(
                fields=["due_at"], name="milestone_due",
                condition=models.Q(state__in=["draft", "funded", "changes_requested"]),
            ),
            document_index(MILESTONE_SEARCH_FIELDS, name="milestone_search"),  # the search box (PostgreSQL)
            # "Has an overdue milestone" (the engagement list's flag, its at-risk count and filter):
            # answered from the index alone, per engagement or for the whole workspace.
            models.Index(
                fields=["engagement", "due_at"], name="milestone_open_by_engagement",
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


# --- Milestone work -------------------------------------------------------------------------
class SubmissionOutcome(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    ACCEPTED = "accepted", "Accepted"


class Submission(models.Model):
    """One round of work handed in for a milestone, with the owner's feedback on it."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="submissions")
    round = models.PositiveSmallIntegerField()
    message = models.TextField()
    links = models.JSONField(default=list, blank=True)
    # When subcontracting is not allowed: "I did this work myself" was ticked.
    attested_own_work = models.BooleanField(default=False)
    submitted_by = models.ForeignKey("freelancers.Freelancer", on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=20, choices=SubmissionOutcome.choices, default=SubmissionOutcome.PENDING)
    feedback = models.TextField(blank=True)
    feedback_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    feedback_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["milestone", "round"]
        constraints = [
            models.UniqueConstraint(fields=["milestone", "round"], name="submission_round_unique"),
        ]

    def __str__(self):
        return f"{self.milestone} · round {self.round}"


def submission_upload_to(instance, filename):
    # Kept for the migrations that name it; submission files are Attachments now.
    return f"submissions/{secrets.token_hex(16)}"


class SubmissionFile(models.Model):
    """A file handed in with a round of work: the link between the submission and its stored
    Attachment (the one storage for message and submission files)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    attachment = models.OneToOneField("Attachment", on_delete=models.PROTECT, related_name="submission_file")

    class Meta:
        ordering = ["submission", "id"]

    def __str__(self):
        return self.original_name

    # What the pages and the API read of the file, from its attachment.
    @property
    def original_name(self):
        return self.attachment.name

    @property
    def content_type(self):
        return self.attachment.content_type

    @property
    def size(self):
        return self.attachment.size

    @property
    def file(self):
        return self.attachment.file

    @property
    def uploaded_at(self):
        return self.attachment.created_at


# --- New due dates ----------------------------------------------------------------------------
class DateChangeStatus(models.TextChoices):
    PENDING = "pending", "Waiting for an answer"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class MilestoneDateChange(models.Model):
    """The freelancer asked for a new due date, with a reason; the owner accepts or declines.
    Kept on the milestone as its history (engagements/services/due_date.py)."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="date_changes")
    previous_on = models.DateField(null=True, blank=True)
    proposed_on = models.DateField()
    reason = models.TextField()
    requested_by = models.ForeignKey("freelancers.Freelancer", on_delete=models.CASCADE, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=16, choices=DateChangeStatus.choices, default=DateChangeStatus.PENDING)
    decided_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(blank=True)

    class Meta:
        ordering = ["milestone", "-requested_at", "-id"]
        constraints = [
            # One open request per milestone at a time.
            models.UniqueConstraint(fields=["milestone"], condition=models.Q(status="pending"),
                                    name="date_change_one_pending"),
        ]

    def __str__(self):
        return f"{self.milestone}: {self.previous_on} → {self.proposed_on} ({self.status})"
