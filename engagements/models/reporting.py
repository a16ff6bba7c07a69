"""Reporting: the freelancer's status updates, the workspace's prompts for them, and the
check-ins the owner plans."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from accounts.indexes import newest_document_index

from .engagement import Engagement, in_engagement_workspace

# What the search box reads of a status update (its rank weighs them A, B, C).
STATUS_UPDATE_SEARCH_FIELDS = ("done", "next", "blockers")


class StatusUpdate(models.Model):
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="status_updates")
    # The engagement's workspace, which never changes: the search box filters on it without a join.
    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+", editable=False,
                                  db_index=False)  # (workspace, -id) below
    freelancer = models.ForeignKey("freelancers.Freelancer", on_delete=models.PROTECT, related_name="status_updates")
    done = models.TextField()
    next = models.TextField()
    blockers = models.TextField(blank=True)
    percent_complete = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])
    hours = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True,
                                validators=[MinValueValidator(0)])
    # The deadline this update was measured against, and whether it came after it.
    due_at = models.DateTimeField(null=True, blank=True)
    late = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["engagement", "-created_at"], name="statusupdate_recent"),
            models.Index(fields=["workspace", "-id"], name="statusupdate_ws_newest"),  # the search box
            # The search box (PostgreSQL): a workspace's newest words, one GIN index (btree_gin).
            newest_document_index(STATUS_UPDATE_SEARCH_FIELDS, name="statusupdate_ws_search"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(percent_complete__lte=100), name="statusupdate_percent_range"),
        ]

    def __str__(self):
        return f"{self.engagement} · update {self.created_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        in_engagement_workspace(self)
        super().save(*args, **kwargs)


DEFAULT_PROMPTS = {
    "done_prompt": "What did you finish since your last update?",
    "next_prompt": "What will you work on next?",
    "blockers_prompt": "Is anything blocking you or at risk? What do you need from us?",
}


class UpdatePrompts(models.Model):
    """The workspace's template of status-update prompts, shown to freelancers."""

    workspace = models.OneToOneField("accounts.Workspace", on_delete=models.CASCADE, related_name="update_prompts")
    done_prompt = models.CharField(max_length=300, default=DEFAULT_PROMPTS["done_prompt"])
    next_prompt = models.CharField(max_length=300, default=DEFAULT_PROMPTS["next_prompt"])
    blockers_prompt = models.CharField(max_length=300, default=DEFAULT_PROMPTS["blockers_prompt"])
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Update prompts for {self.workspace}"


class CheckInStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HAPPENED = "happened", "Happened"
    MISSED = "missed", "Missed"


class CheckIn(models.Model):
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="checkins")
    scheduled_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=30, validators=[MinValueValidator(5),
                                                                                MaxValueValidator(480)])
    meeting_url = models.URLField(blank=True)
    agenda = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=CheckInStatus.choices, default=CheckInStatus.SCHEDULED)
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(null=True, blank=True)
    # Owner nudges (engagements/reminders/checkins.py): 0 → "tomorrow" with the agenda, 1 → "record it or
    # reschedule" once it is over, 2 done. `nudge_for` is the time they were planned for, so
    # moving the check-in re-arms them.
    nudge_at = models.DateTimeField(null=True, blank=True, editable=False)
    nudge_step = models.PositiveSmallIntegerField(default=0, editable=False)
    nudge_for = models.DateTimeField(null=True, blank=True, editable=False)
    # The calendar SEQUENCE of the emailed invitation (RFC 5546): 0 when first sent, one more
    # each time it moves or is cancelled, so the freelancer's calendar updates the same event.
    sequence = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-scheduled_at", "-id"]
        indexes = [
            models.Index(fields=["engagement", "status", "scheduled_at"], name="checkin_upcoming"),
            models.Index(fields=["nudge_at"], name="checkin_nudge_due", condition=models.Q(status="scheduled")),
        ]

    def __str__(self):
        return f"{self.engagement} · check-in {self.scheduled_at:%Y-%m-%d %H:%M}"
