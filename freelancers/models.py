"""Freelancers in a workspace's talent pool and their vetting pipeline."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.timezone import now

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


class RateUnit(models.TextChoices):
    HOUR = "hour", "per hour"
    DAY = "day", "per day"
    PROJECT = "project", "per project"
    MONTH = "month", "per month (retainer)"


class Freelancer(models.Model):
    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="freelancers")
    name = models.CharField(max_length=150)
    email = models.EmailField()
    headline = models.CharField(max_length=200, blank=True)
    skills = models.JSONField(default=list, blank=True, help_text="Tags, e.g. ['logo design', 'figma'].")
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 two-letter code.")
    # Money in minor units (cents) with its currency; never floats.
    rate_amount = models.PositiveIntegerField(null=True, blank=True, validators=[MinValueValidator(0)])
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

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("workspace", Lower("email"), name="freelancer_email_per_workspace"),
            models.CheckConstraint(
                condition=models.Q(do_not_hire=False) | ~models.Q(do_not_hire_reason=""),
                name="freelancer_do_not_hire_needs_reason",
            ),
        ]
        indexes = [models.Index(fields=["workspace", "status"], name="freelancer_ws_status")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.do_not_hire and not self.do_not_hire_reason.strip():
            raise ValidationError({"do_not_hire_reason": "Say why this person should not be hired."})
