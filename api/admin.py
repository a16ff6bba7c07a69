from django.contrib import admin

from .models import ApiToken, IdempotencyKey


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "workspace", "role", "created_at", "last_used_at", "expires_at"]
    list_filter = ["role"]
    search_fields = ["prefix", "user__email", "workspace__slug"]
    raw_id_fields = ["user", "workspace", "freelancer"]
    # The key itself is never stored; its hash is useless to show or edit.
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at", "expires_at"]

    def has_add_permission(self, request):
        return False  # tokens are issued through the API or `manage.py api_token`


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(admin.ModelAdmin):
    list_display = ["key", "user", "method", "path", "response_status", "created_at", "completed_at"]
    search_fields = ["key", "user__email", "path"]
    raw_id_fields = ["user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
