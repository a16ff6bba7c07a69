"""Nightly reconciliation with the payment provider (the Modern Treasury model): every provider
intent that succeeded is an expectation; each is matched to Stripe's balance transactions by the
provider id; whatever does not match is an exception someone looks at. The ledger stays the
truth; Stripe is checked against it. One run row per workspace (and one for the platform, without
a workspace, for Stripe's own movements nothing of ours explains)."""

from django.db import models
from django.utils import timezone


class ReconciliationRun(models.Model):
    workspace = models.ForeignKey("accounts.Workspace", null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="reconciliation_runs")
    ran_at = models.DateTimeField(default=timezone.now)
    matched = models.PositiveIntegerField(default=0)
    unexplained_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-ran_at", "-id"]
        indexes = [models.Index(fields=["workspace", "-ran_at"], name="reconciliation_latest_idx")]

    def __str__(self):
        return f"Reconciliation {self.ran_at:%Y-%m-%d %H:%M} ({self.unexplained_count} unexplained)"


class ReconciliationException(models.Model):
    run = models.ForeignKey(ReconciliationRun, on_delete=models.CASCADE, related_name="exceptions")
    provider_id = models.CharField(max_length=255)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.provider_id}: {self.reason}"
