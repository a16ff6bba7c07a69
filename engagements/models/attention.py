"""What an owner or manager put aside from their "needs attention" list: a row per user, workspace
and item key, hidden until `until` (a day after snoozing). The items themselves are never
stored: they are read from the rows they are about (engagements/selectors/attention.py), so an
item disappears by itself once it is handled."""

from django.db import models

SNOOZE_HOURS = 24


class AttentionSnooze(models.Model):
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="attention_snoozes")
    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+")
    # The item's key as the list and the API show it, e.g. `update_overdue:12`.
    key = models.CharField(max_length=120)
    until = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "workspace", "key"], name="attention_snooze_unique"),
        ]

    def __str__(self):
        return f"{self.key} snoozed by {self.user} until {self.until:%Y-%m-%d %H:%M}"
