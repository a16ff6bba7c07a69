"""Interviews: the workspace's scorecard criteria, each interview with its red flags and
outcome, and the scores given on it."""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.timezone import now

from accounts.models import validate_timezone

from .freelancer import Freelancer

DEFAULT_CRITERIA = [
    "Communication",
    "Relevant skill",
    "Understanding of the brief",
    "Timeline / availability fit",
    "Professionalism",
]


class ScorecardCriterion(models.Model):
    """A workspace's interview scorecard criteria (editable; defaults in DEFAULT_CRITERIA)."""

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="scorecard_criteria")
    name = models.CharField(max_length=80)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint("workspace", Lower("name"), name="criterion_name_per_workspace"),
        ]

    def __str__(self):
        return self.name


class InterviewKind(models.TextChoices):
    INTRO = "intro", "Intro call"
    TECHNICAL = "technical", "Technical"
    PROJECT_FIT = "project_fit", "Project fit"


class InterviewOutcome(models.TextChoices):
    PENDING = "pending", "Not decided"
    ADVANCE = "advance", "Advance"
    HOLD = "hold", "Hold"
    REJECT = "reject", "Reject"


class RedFlag(models.TextChoices):
    SCOPE = "scope", "Hesitated about the scope"
    TIMELINE = "timeline", "Hesitated about the timeline"
    WHO_DOES_WORK = "who_does_work", "Vague about who will do the work"
    AVAILABILITY = "availability", "Unclear availability"
    PRICE_MOVED = "price_moved", "Price moved after agreement"


class Interview(models.Model):
    freelancer = models.ForeignKey(Freelancer, on_delete=models.CASCADE, related_name="interviews")
    kind = models.CharField(max_length=16, choices=InterviewKind.choices, default=InterviewKind.INTRO)
    scheduled_at = models.DateTimeField(help_text="Stored in UTC.")
    duration_minutes = models.PositiveSmallIntegerField(
        default=15, validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    meeting_url = models.URLField(max_length=500, blank=True)
    # The time zone the time was entered in (the interviewer's), kept to show it back the same way.
    organizer_timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    interviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    # iCalendar: SEQUENCE goes up with each reschedule so calendars replace the old event.
    sequence = models.PositiveIntegerField(default=0)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    red_flags = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)
    outcome = models.CharField(max_length=16, choices=InterviewOutcome.choices, default=InterviewOutcome.PENDING)
    scored_at = models.DateTimeField(null=True, blank=True)
    scored_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["scheduled_at", "id"]
        indexes = [models.Index(fields=["freelancer", "scheduled_at"], name="interview_freelancer_time")]

    def __str__(self):
        return f"{self.get_kind_display()} with {self.freelancer}"

    @property
    def ends_at(self):
        return self.scheduled_at + timedelta(minutes=self.duration_minutes)

    @property
    def red_flag_labels(self):
        return [RedFlag(flag).label for flag in self.red_flags if flag in RedFlag.values]

    @property
    def is_cancelled(self):
        return self.cancelled_at is not None

    @property
    def is_upcoming(self):
        return not self.is_cancelled and self.scheduled_at > now()


class InterviewScore(models.Model):
    """One criterion's score. The criterion's name is copied so editing the workspace's list
    later does not rewrite past scorecards."""

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="scores")
    criterion = models.CharField(max_length=80)
    position = models.PositiveSmallIntegerField(default=0)
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["interview", "criterion"], name="interview_score_once"),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="interview_score_1_5"),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.score}"
