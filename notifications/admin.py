from django.contrib import admin

from .models import (
    Notification,
    NotificationPreference,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["kind", "recipient_email", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["recipient_email", "dedupe_key"]
    raw_id_fields = ["workspace", "recipient_user"]
    # The context can hold one-time links (invitation tokens): keep it out of the change page.
    exclude = ["context", "attachments"]
    readonly_fields = ["dedupe_key", "status", "attempts", "last_error", "subject", "created_at",
                       "claimed_at", "enqueued_at", "sent_at", "failed_at", "not_before"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["email", "workspace", "category", "mode", "changed_via", "updated_at"]
    list_filter = ["category", "mode", "changed_via"]
    search_fields = ["email"]
    raw_id_fields = ["workspace"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "workspace", "active", "consecutive_failures", "created_at"]
    list_filter = ["active"]
    search_fields = ["url", "description"]
    raw_id_fields = ["workspace", "created_by"]
    # The signing secrets (encrypted) stay off the change page.
    exclude = ["secret_encrypted", "previous_secret_encrypted"]
    readonly_fields = ["consecutive_failures", "failing_since", "disabled_at", "secret_rotated_at",
                       "previous_secret_until", "created_at", "updated_at"]

    def has_add_permission(self, request):
        return False  # an endpoint is made by its owner's page or the API, which show its secret once


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ["type", "uid", "workspace", "created_at"]
    list_filter = ["type"]
    search_fields = ["uid"]
    raw_id_fields = ["workspace"]
    readonly_fields = ["uid", "type", "body", "created_at"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["event", "endpoint", "status", "attempts", "next_attempt_at", "delivered_at"]
    list_filter = ["status"]
    raw_id_fields = ["event", "endpoint"]
    readonly_fields = ["attempts", "retry_step", "claimed_at", "enqueued_at", "last_status_code", "last_error",
                       "delivered_at", "created_at"]


@admin.register(WebhookAttempt)
class WebhookAttemptAdmin(admin.ModelAdmin):
    list_display = ["delivery", "number", "at", "status_code", "duration_ms", "error"]
    raw_id_fields = ["delivery"]
    readonly_fields = ["number", "at", "status_code", "response_body", "duration_ms", "error"]
