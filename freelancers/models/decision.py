"""Vetting decisions: the owner's approve or reject, kept as history with what they saw."""

from django.conf import settings
from django.db import models
from django.utils.timezone import now

from .freelancer import Freelancer


class Decision(models.Model):
    """The owner's vetting decision, kept as history: who, when, why, and what they saw."""

    class Verdict(models.TextChoices):
        APPROVED = "approved", "Approve"
        REJECTED = "rejected", "Reject"

    freelancer = models.ForeignKey(Freelancer, on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(max_length=16, choices=Verdict.choices)
    reason = models.TextField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(default=now)
    # What the scorecard showed when the decision was taken.
    references_received = models.PositiveSmallIntegerField(default=0)
    red_flags = models.JSONField(default=list, blank=True)
    confirmed_warnings = models.BooleanField(default=False)

    class Meta:
        ordering = ["-decided_at", "-id"]

    def __str__(self):
        return f"{self.freelancer}: {self.get_decision_display()}"
