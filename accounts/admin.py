from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import AuditEvent, CalendarFeed, Invitation, Membership, User, Workspace, WorkspaceChange


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "timezone", "is_active", "is_staff", "date_joined"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["full_name", "timezone"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "timezone", "currency", "created_at"]
    search_fields = ["name", "slug"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "workspace", "role", "created_at"]
    list_filter = ["role"]
    raw_id_fields = ["user", "workspace"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "workspace", "role", "status", "created_at", "expires_at"]
    list_filter = ["role", "status"]
    search_fields = ["email"]
    # The token hash is never shown: it is useless to a reader and invites copying.
    exclude = ["token_hash"]
    readonly_fields = ["accepted_at", "accepted_by", "revoked_at", "created_at"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only, like the log itself (append-only; on PostgreSQL a trigger refuses changes)."""

    list_display = ["at", "workspace", "actor_email", "action", "object_type", "object_id", "ip"]
    list_filter = ["action"]
    search_fields = ["actor_email", "object_id", "detail"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["user", "workspace", "audience", "created_at", "rotated_at"]
    list_filter = ["audience"]
    raw_id_fields = ["user", "workspace"]
    # The salt and the hash are never shown: with the SECRET_KEY the salt rebuilds the URL.
    exclude = ["salt", "token_hash"]
    readonly_fields = ["created_at", "rotated_at"]


@admin.register(WorkspaceChange)
class WorkspaceChangeAdmin(admin.ModelAdmin):
    """Read-only: written by the change marks' triggers (accounts/changes.py), for looking only."""

    list_display = ["workspace_id", "backend", "mark"]
    search_fields = ["workspace_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
