"""The notification outbox: every email is first a row here.

A row is inserted once per `dedupe_key` (naming the reminder and its window), then a separate
task claims it (`queued → sending` by a conditional UPDATE), renders and sends it, and marks it
`sent` or `failed`. A sweep that runs twice, two beats, or a task delivered twice therefore send
each email once.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class NotificationStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Notification(models.Model):
    workspace = models.ForeignKey(
        "accounts.Workspace", null=True, blank=True, on_delete=models.CASCADE,
        related_name="notifications",
    )
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="notifications",
    )
    recipient_email = models.EmailField()
    kind = models.CharField(max_length=64)
    context = models.JSONField(default=dict, blank=True)
    # Files to attach, e.g. an interview's .ics: [{"filename", "content", "mimetype"}].
    attachments = models.JSONField(default=list, blank=True)
    dedupe_key = models.CharField(max_length=255, unique=True)
    # The engagement the email is about, when there is one (filter for its history and the
    # API). An integer, not a foreign key: notifications sit below engagements.
    engagement_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    status = models.CharField(
        max_length=16, choices=NotificationStatus.choices, default=NotificationStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    subject = models.CharField(max_length=255, blank=True)
    # Not to be sent before this time (quiet hours in the recipient's timezone).
    not_before = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="notification_ws_recent"),
            # The recovery sweep looks only at rows still in flight.
            models.Index(
                fields=["status", "created_at"],
                name="notification_in_flight",
                condition=models.Q(status__in=["queued", "sending"]),
            ),
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient_email} ({self.status})"
