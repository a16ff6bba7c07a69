from django.contrib import admin

from .models import PortalAccess, PortalUser


@admin.register(PortalUser)
class PortalUserAdmin(admin.ModelAdmin):
    """The session epoch. Bumping it (the owner's "revoke access" does) signs the person out
    everywhere; it is not edited by hand."""

    list_display = ["user", "session_epoch", "updated_at"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]
    readonly_fields = ["session_epoch", "updated_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False  # created when a person's sessions are first ended


@admin.register(PortalAccess)
class PortalAccessAdmin(admin.ModelAdmin):
    """Read-only: access is granted by accepting an invitation and revoked from the owner's
    freelancer page, so the login link, the sessions and the timeline stay consistent."""

    list_display = ["freelancer", "joined_at", "last_seen_at", "revoked_at", "revoked_by"]
    search_fields = ["freelancer__name", "freelancer__email", "revoked_email"]
    list_filter = ["revoked_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
