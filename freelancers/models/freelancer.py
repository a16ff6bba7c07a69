"""The freelancer: one person in a workspace's talent pool, their place in the vetting pipeline
(the one table of status moves), the pipeline's event log and the rate history."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.timezone import now

from accounts.indexes import document_index, trigram_index
from accounts.models import validate_currency, validate_timezone


class FreelancerStatus(models.TextChoices):
    PROSPECT = "prospect", "Prospect"
    VETTING = "vetting", "Vetting"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


# The pipeline's one transition table: status → statuses it may move to.
STATUS_TRANSITIONS = {
    FreelancerStatus.PROSPECT: {FreelancerStatus.VETTING, FreelancerStatus.REJECTED},
    FreelancerStatus.VETTING: {FreelancerStatus.APPROVED, FreelancerStatus.REJECTED, FreelancerStatus.PROSPECT},
    FreelancerStatus.APPROVED: {FreelancerStatus.VETTING, FreelancerStatus.REJECTED},
    FreelancerStatus.REJECTED: {FreelancerStatus.VETTING, FreelancerStatus.PROSPECT},
}
# Statuses reached only by a decision with a reason (the scorecard), never by a pipeline move.
DECISION_STATUSES = {FreelancerStatus.APPROVED, FreelancerStatus.REJECTED}


class RateUnit(models.TextChoices):
    HOUR = "hour", "per hour"
    DAY = "day", "per day"
    PROJECT = "project", "per project"
    MONTH = "month", "per month (retainer)"


# What the search box reads of a freelancer, most telling first (its rank weighs them A, B, C).
FREELANCER_SEARCH_FIELDS = ("name", "headline", "notes")


class Freelancer(models.Model):
    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="freelancers")
    name = models.CharField(max_length=150)
    email = models.EmailField()
    headline = models.CharField(max_length=200, blank=True)
    skills = models.JSONField(default=list, blank=True, help_text="Tags, e.g. ['logo design', 'figma'].")
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 two-letter code.")
    # Money in minor units (cents) with its currency; never floats.
    rate_amount = models.PositiveBigIntegerField(null=True, blank=True, validators=[MinValueValidator(0)])
    rate_unit = models.CharField(max_length=16, choices=RateUnit.choices, default=RateUnit.HOUR)
    currency = models.CharField(max_length=3, default="USD", validators=[validate_currency])
    links = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=FreelancerStatus.choices, default=FreelancerStatus.PROSPECT)
    do_not_hire = models.BooleanField(default=False)
    do_not_hire_reason = models.TextField(blank=True)
    # The portal login, once the freelancer accepted an invitation.
    user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="freelancer_profiles"
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("workspace", Lower("email"), name="freelancer_email_per_workspace"),
            models.CheckConstraint(
                condition=models.Q(do_not_hire=False) | ~models.Q(do_not_hire_reason=""),
                name="freelancer_do_not_hire_needs_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "status"], name="freelancer_ws_status"),
            # The freelancer list's page (by name): read in order, cut at the page.
            models.Index(fields=["workspace", "name", "id"], name="freelancer_ws_name"),
            # The search box (PostgreSQL only): words, and a misspelt name.
            document_index(FREELANCER_SEARCH_FIELDS, name="freelancer_search"),
            trigram_index("name", name="freelancer_name_trgm"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.do_not_hire and not self.do_not_hire_reason.strip():
            raise ValidationError({"do_not_hire_reason": "Say why this person should not be hired."})

    @property
    def allowed_moves(self):
        return [FreelancerStatus(s) for s in FreelancerStatus.values if s in STATUS_TRANSITIONS[self.status]]


def statuses_allowed_into(to_status):
    """The statuses a freelancer may be in for a move to `to_status`."""
    return {src for src, targets in STATUS_TRANSITIONS.items() if to_status in targets}


class EventKind(models.TextChoices):
    CREATED = "created", "Added"
    STATUS = "status", "Status changed"
    DO_NOT_HIRE = "do_not_hire", "Marked do not hire"
    CLEARED_DO_NOT_HIRE = "cleared_do_not_hire", "Do-not-hire cleared"
    DECISION = "decision", "Decision"


class FreelancerEvent(models.Model):
    """The pipeline's history: every status move and do-not-hire change, with who, when, why."""

    freelancer = models.ForeignKey(Freelancer, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    from_status = models.CharField(max_length=16, choices=FreelancerStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=FreelancerStatus.choices, blank=True)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.freelancer}: {self.get_kind_display()}"


class RateChange(models.Model):
    """Rate history: one row each time the rate (amount, unit or currency) is set or changes."""

    freelancer = models.ForeignKey(Freelancer, on_delete=models.CASCADE, related_name="rate_changes")
    rate_amount = models.PositiveBigIntegerField(null=True, blank=True)
    rate_unit = models.CharField(max_length=16, choices=RateUnit.choices)
    currency = models.CharField(max_length=3, validators=[validate_currency])
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    changed_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.freelancer}: {self.rate_amount} {self.currency} {self.rate_unit}"
