"""Budget changes: the record of each raise (or change) of an engagement's budget."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class BudgetChange(models.Model):
    """The owner raised (or changed) an engagement's budget; kept as a record."""

    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE, related_name="budget_changes")
    old_budget = models.PositiveBigIntegerField()
    new_budget = models.PositiveBigIntegerField()
    old_contingency_percent = models.PositiveSmallIntegerField()
    new_contingency_percent = models.PositiveSmallIntegerField()
    currency = models.CharField(max_length=3)
    reason = models.TextField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.engagement}: budget {self.old_budget} → {self.new_budget}"
