"""The webhook outbox: endpoints, the events emitted to them, one delivery per endpoint and
event, and the log of every attempt; notifications/webhooks/ holds what acts on them."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class WebhookEndpoint(models.Model):
    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    # Event type names from events.EVENT_TYPES.
    events = models.JSONField(default=list)
    active = models.BooleanField(default=True)
    # Why it was turned off, by its owner or after repeated failure (empty while active).
    disabled_reason = models.CharField(max_length=300, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    # The signing secret (whsec_…), Fernet-encrypted (accounts.crypto); shown once, never again.
    secret_encrypted = models.TextField()
    # After a rotation the old secret also signs until `previous_secret_until` (Standard Webhooks
    # sends several signatures), so a receiver can switch without losing a message.
    previous_secret_encrypted = models.TextField(blank=True)
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    secret_rotated_at = models.DateTimeField(null=True, blank=True)
    # Failed attempts in a row, and since when every attempt failed (None after a success).
    consecutive_failures = models.PositiveIntegerField(default=0)
    failing_since = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # Emitting reads the workspace's active endpoints on every action.
            models.Index(fields=["workspace"], name="webhook_endpoint_active",
                         condition=models.Q(active=True)),
        ]

    def __str__(self):
        return self.url

    def has_previous_secret(self, now=None):
        return bool(self.previous_secret_encrypted and self.previous_secret_until
                    and self.previous_secret_until > (now or timezone.now()))


class WebhookEvent(models.Model):
    """One domain event as it is sent: `uid` is the `webhook-id` header (the same on every
    attempt and every endpoint), `body` the exact JSON bytes signed and sent."""

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="webhook_events")
    uid = models.CharField(max_length=40, unique=True)
    type = models.CharField(max_length=64)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        # The purge sweep reads events by age.
        indexes = [models.Index(fields=["created_at"], name="webhook_event_age")]

    def __str__(self):
        return f"{self.type} {self.uid}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Sending"
    SUCCEEDED = "succeeded", "Delivered"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    # Every attempt ever made; `retry_step` is the place in the backoff schedule since the
    # delivery was created or last redelivered.
    attempts = models.PositiveSmallIntegerField(default=0)
    retry_step = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # No retry is scheduled past this moment (three days after creation or redelivery).
    give_up_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    # When it was last handed to the broker: the sweep hands it out again only after a grace.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="webhook_delivery_once"),
        ]
        indexes = [
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_log"),
            # The dispatch sweep: due retries, and claims whose worker may have died.
            models.Index(fields=["next_attempt_at"], name="webhook_delivery_due",
                         condition=models.Q(status="pending")),
            models.Index(fields=["claimed_at"], name="webhook_delivery_sending",
                         condition=models.Q(status="sending")),
        ]

    def __str__(self):
        return f"{self.event} → {self.endpoint} ({self.status})"


class WebhookAttempt(models.Model):
    """One POST (or the reason none could be made): the delivery log the owner reads."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    # The start of the answer's body (at most RESPONSE_EXCERPT characters).
    response_body = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"attempt {self.number} of {self.delivery_id}: {self.status_code or self.error}"

    @property
    def succeeded(self):
        return self.status_code is not None and 200 <= self.status_code < 300
