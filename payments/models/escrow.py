"""Milestone escrow records: disputes freezing a milestone's money, and the review clock that
releases submitted work nobody reviewed."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .ledger import Transaction

# The reviewer may extend the review of a submission once, by at most this many days.
MAX_EXTENSION_DAYS = 14


class DisputeSide(models.TextChoices):
    OWNER = "owner", "Owner side"
    FREELANCER = "freelancer", "Freelancer"


class DisputeOutcome(models.TextChoices):
    RELEASED = "released", "Released to the freelancer"
    REFUNDED = "refunded", "Refunded to the owner"
    SPLIT = "split", "Split"


class Dispute(models.Model):
    """A milestone's escrow frozen while the two sides disagree, and how it ended."""

    milestone = models.ForeignKey("engagements.Milestone", on_delete=models.PROTECT, related_name="disputes")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    side = models.CharField(max_length=16, choices=DisputeSide.choices)
    reason = models.TextField()
    # The state the milestone was in when the dispute was opened.
    from_state = models.CharField(max_length=20)
    escrowed = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    opened_at = models.DateTimeField(default=timezone.now)
    opened_transaction = models.OneToOneField(Transaction, on_delete=models.PROTECT, related_name="dispute_opened")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=16, choices=DisputeOutcome.choices, blank=True)
    release_amount = models.BigIntegerField(null=True, blank=True)
    refund_amount = models.BigIntegerField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)
    resolution_transaction = models.OneToOneField(
        Transaction, null=True, blank=True, on_delete=models.PROTECT, related_name="dispute_resolved"
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone"], condition=models.Q(resolved_at__isnull=True), name="dispute_one_open",
            ),
        ]

    def __str__(self):
        return f"Dispute on {self.milestone}"

    @property
    def is_open(self):
        return self.resolved_at is None


class ReviewClock(models.Model):
    """The review deadline of one submission of a milestone.

    One source of truth for "when is this submission auto-released": a submission is identified
    by the milestone's `state_changed_at` when it became `submitted` (every transition sets it),
    its deadline is that time + the workspace's review window (+ the one extension allowed per
    submission). `Milestone.review_deadline_at` is this deadline copied onto the milestone row
    for its index, the API and the reminders; payments is its only writer (engagements sits below
    payments and cannot compute it). A re-submission after changes gets a new clock, so a stale
    deadline of an earlier round can never release the new one.
    """

    milestone = models.ForeignKey("engagements.Milestone", on_delete=models.CASCADE, related_name="review_clocks")
    submitted_at = models.DateTimeField()
    window_days = models.PositiveSmallIntegerField()
    deadline_at = models.DateTimeField()
    extended_days = models.PositiveSmallIntegerField(default=0)
    extended_at = models.DateTimeField(null=True, blank=True)
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    extension_reason = models.CharField(max_length=300, blank=True)
    # Warnings to the owner before the automatic release (payments/reminders/review_warnings.py):
    # the steps sent (1 = three days before, 2 = one day before) for the deadline in `warned_for`;
    # an extension moves the deadline, so the warnings start over for the new one.
    warning_step = models.PositiveSmallIntegerField(default=0, editable=False)
    warned_for = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["milestone", "-submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["milestone", "submitted_at"], name="review_clock_per_submission"),
        ]

    def __str__(self):
        return f"Review of {self.milestone} due {self.deadline_at:%Y-%m-%d %H:%M}"
