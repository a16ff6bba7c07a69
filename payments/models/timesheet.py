"""Hourly work: weekly timesheets with their one table of state moves, their time entries, and
the two rules of the arithmetic (a week starts on Monday; minutes × rate, rounded half up)."""

from datetime import date, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from accounts.models import validate_currency

from .ledger import Transaction


class TimesheetState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Waiting for approval"
    APPROVED = "approved", "Approved"
    DISPUTED = "disputed", "Disputed"


TIMESHEET_TRANSITIONS = {
    TimesheetState.DRAFT: {TimesheetState.SUBMITTED},
    TimesheetState.SUBMITTED: {TimesheetState.APPROVED, TimesheetState.DISPUTED},
    # A disputed week is corrected by the freelancer and submitted again, or approved as it is.
    TimesheetState.DISPUTED: {TimesheetState.SUBMITTED, TimesheetState.APPROVED},
    TimesheetState.APPROVED: set(),
}
TIMESHEET_EDITABLE_STATES = frozenset({TimesheetState.DRAFT, TimesheetState.DISPUTED})
# A submitted week's approval may be extended once, by at most this many days.
MAX_APPROVAL_EXTENSION_DAYS = 14


def week_start_of(day: date) -> date:
    """The Monday of the week containing `day`."""
    return day - timedelta(days=day.weekday())


def amount_for(minutes, hourly_rate):
    """minutes × rate / 60 in minor units, rounded half up, integers only."""
    return (minutes * hourly_rate * 2 + 60) // 120


class Timesheet(models.Model):
    """One week (Monday to Sunday) of an hourly engagement."""

    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE, related_name="timesheets")
    week_start = models.DateField(help_text="The Monday of the week.")
    state = models.CharField(max_length=16, choices=TimesheetState.choices, default=TimesheetState.DRAFT)
    # Snapshot at submission: the freelancer's hourly rate in minor units of `currency`.
    hourly_rate = models.PositiveBigIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3, validators=[validate_currency])
    submitted_at = models.DateTimeField(null=True, blank=True)
    approval_deadline_at = models.DateTimeField(null=True, blank=True)
    extended_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dispute_reason = models.TextField(blank=True)
    transaction = models.OneToOneField(
        Transaction, null=True, blank=True, on_delete=models.PROTECT, related_name="timesheet"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["engagement", "-week_start"]
        constraints = [
            models.UniqueConstraint(fields=["engagement", "week_start"], name="timesheet_one_per_week"),
        ]
        indexes = [
            models.Index(
                fields=["approval_deadline_at"], name="timesheet_approval_due",
                condition=models.Q(state="submitted"),
            ),
        ]

    def __str__(self):
        return f"{self.engagement} · week of {self.week_start:%Y-%m-%d}"


class TimeEntry(models.Model):
    timesheet = models.ForeignKey(Timesheet, on_delete=models.CASCADE, related_name="entries")
    day = models.DateField()
    minutes = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(24 * 60)])
    description = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["timesheet", "day", "id"]
        verbose_name_plural = "time entries"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minutes__gte=1) & models.Q(minutes__lte=24 * 60), name="time_entry_minutes_range",
            ),
        ]

    def __str__(self):
        return f"{self.day}: {self.minutes} min"
