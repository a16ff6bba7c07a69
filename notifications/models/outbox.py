"""The notification outbox: every email is first a row here.

A row is inserted once per `dedupe_key` (naming the reminder and its window), then a separate
task claims it (`queued → sending` by a conditional UPDATE), renders and sends it, and marks it
`sent` or `failed`. A sweep that runs twice, two beats, or a task delivered twice therefore send
each email once.
"""

import re

from django.conf import settings
from django.db import models
from django.utils import timezone

# The "[Workspace name] " notifications.emails.render_subject puts before every subject.
SUBJECT_PREFIX = re.compile(r"^\[[^\]]*\]\s+")


class NotificationStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    # The recipient chose "digest only" for this kind: it waits for their next daily digest.
    HELD = "held", "Held for the digest"
    DIGESTED = "digested", "Sent in the digest"
    # The recipient turned this kind off (preferences or one-click unsubscribe): kept, not sent.
    SUPPRESSED = "suppressed", "Not sent (turned off)"


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
    # When the recovery sweep last handed the row to the broker: it does so again only after a
    # grace period, so a worker that is down for an hour does not find sixty copies waiting.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    # The in-app side of the same row (the inbox behind the bell): a short text kept when the
    # email is rendered, and when its reader opened it in the app (or marked all read).
    summary = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="notification_ws_recent"),
            # The inbox: one person's notices (by address, as the email went), and the bell's
            # unread count.
            models.Index(fields=["recipient_email", "-created_at"], name="notification_inbox"),
            models.Index(fields=["recipient_email"], name="notification_unread",
                         condition=models.Q(read_at__isnull=True)),
            # …and those addressed to the user (an inbox is by address OR user): with the one
            # above, a bitmap OR of both, when few are unread.
            models.Index(fields=["recipient_user"], name="notification_unread_user",
                         condition=models.Q(read_at__isnull=True)),
            # The inbox's page, newest first: read in order and cut at the page when most rows are
            # the reader's (by address OR user, no one index holds the order otherwise).
            models.Index(fields=["-created_at", "-id"], name="notification_recent"),
            # The recovery sweep looks only at rows still in flight.
            models.Index(
                fields=["status", "created_at"],
                name="notification_in_flight",
                condition=models.Q(status__in=["queued", "sending"]),
            ),
            # The digest collects what each recipient chose to receive "digest only".
            models.Index(
                fields=["workspace", "recipient_email"], name="notification_held",
                condition=models.Q(status="held"),
            ),
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient_email} ({self.status})"

    @property
    def label(self):
        """How the workspace's own pages name the email: the subject once sent, without the
        "[Workspace] " prefix every subject carries (redundant inside that workspace); before it
        is sent, the kind in words ("Portal invitation", never `portal_invitation`)."""
        if self.subject:
            return SUBJECT_PREFIX.sub("", self.subject, count=1) or self.subject
        return self.kind.replace("_", " ").capitalize()

    @property
    def waiting_until(self):
        """When a queued email held for decent hours goes out (None when it is not held)."""
        if self.status == NotificationStatus.QUEUED and self.not_before and self.not_before > timezone.now():
            return self.not_before
        return None


class PreferenceMode(models.TextChoices):
    ON = "on", "Email me"
    DIGEST = "digest", "Daily digest only"
    OFF = "off", "Off"


class NotificationPreference(models.Model):
    """One person's choice for one category of email in one workspace (notifications.
    preferences lists the categories). Keyed by address, not user: a freelancer or an invitee
    without an account can unsubscribe too. No row means the category's default (on)."""

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE,
                                  related_name="notification_preferences")
    email = models.EmailField()
    category = models.CharField(max_length=32)
    mode = models.CharField(max_length=8, choices=PreferenceMode.choices, default=PreferenceMode.ON)
    # "unsubscribe" (the one-click link) or "preferences" (the settings page).
    changed_via = models.CharField(max_length=16, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "email", "category"], name="notification_pref_unique"),
        ]

    def __str__(self):
        return f"{self.email} · {self.category}: {self.mode}"
