from django.contrib import admin

from .models import Notification, NotificationPreference


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
