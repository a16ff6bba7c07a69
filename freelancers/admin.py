"""Admin: for support, read-mostly. Statuses move only through the services (the pipeline's
transition table, the reference link's single use), so they are read-only here; token hashes
never appear."""

from django.contrib import admin

from .models import (
    Decision,
    Freelancer,
    FreelancerEvent,
    FreelancerImport,
    Interview,
    InterviewScore,
    RateChange,
    Reference,
    ReferenceLink,
    Sample,
    ScorecardCriterion,
    Testimonial,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyInline):
    model = FreelancerEvent
    fields = ["created_at", "kind", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields


class RateChangeInline(ReadOnlyInline):
    model = RateChange
    fields = ["changed_at", "rate_amount", "rate_unit", "currency", "changed_by"]
    readonly_fields = fields


@admin.register(Freelancer)
class FreelancerAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "workspace", "status", "do_not_hire", "timezone", "created_at"]
    list_filter = ["status", "do_not_hire", "rate_unit"]
    search_fields = ["name", "email", "headline"]
    raw_id_fields = ["workspace", "user"]
    readonly_fields = ["status", "status_changed_at", "do_not_hire", "do_not_hire_reason", "created_at",
                       "updated_at"]
    inlines = [EventInline, RateChangeInline]


@admin.register(Reference)
class ReferenceAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "freelancer", "status", "requested_at", "expires_at", "reminders_sent"]
    list_filter = ["status"]
    search_fields = ["name", "email", "freelancer__name"]
    raw_id_fields = ["freelancer", "requested_by"]
    readonly_fields = ["status", "requested_at", "requested_by", "expires_at", "next_reminder_at", "reminders_sent",
                       "answered_at", "quality", "reliability", "communication", "deadlines", "would_rehire",
                       "what_to_know", "decline_reason", "created_at"]


@admin.register(ReferenceLink)
class ReferenceLinkAdmin(admin.ModelAdmin):
    list_display = ["reference", "created_at"]
    raw_id_fields = ["reference"]
    exclude = ["token_hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ScoreInline(ReadOnlyInline):
    model = InterviewScore
    fields = ["criterion", "score"]
    readonly_fields = fields


@admin.register(Interview)
class InterviewAdmin(admin.ModelAdmin):
    list_display = ["freelancer", "kind", "scheduled_at", "duration_minutes", "outcome", "cancelled_at"]
    list_filter = ["kind", "outcome"]
    search_fields = ["freelancer__name"]
    raw_id_fields = ["freelancer", "interviewer", "scored_by"]
    readonly_fields = ["sequence", "cancelled_at", "scored_at", "scored_by", "created_at"]
    inlines = [ScoreInline]


@admin.register(InterviewScore)
class InterviewScoreAdmin(admin.ModelAdmin):
    list_display = ["interview", "criterion", "score"]
    raw_id_fields = ["interview"]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["freelancer", "decision", "decided_by", "decided_at", "confirmed_warnings"]
    list_filter = ["decision"]
    raw_id_fields = ["freelancer", "decided_by"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(FreelancerEvent)
class FreelancerEventAdmin(admin.ModelAdmin):
    list_display = ["freelancer", "kind", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["freelancer", "actor"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RateChange)
class RateChangeAdmin(admin.ModelAdmin):
    list_display = ["freelancer", "rate_amount", "rate_unit", "currency", "changed_at"]
    raw_id_fields = ["freelancer", "changed_by"]


@admin.register(Sample)
class SampleAdmin(admin.ModelAdmin):
    list_display = ["title", "freelancer", "url", "original_filename", "content_type", "size", "created_at"]
    raw_id_fields = ["freelancer", "added_by"]
    # Files are added through the page, which checks their content; the admin only lists them.
    readonly_fields = ["file", "original_filename", "content_type", "size"]


@admin.register(Testimonial)
class TestimonialAdmin(admin.ModelAdmin):
    list_display = ["author", "freelancer", "source", "verified_by", "created_at"]
    raw_id_fields = ["freelancer", "verified_by"]


@admin.register(ScorecardCriterion)
class ScorecardCriterionAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace", "position"]
    raw_id_fields = ["workspace"]


@admin.register(FreelancerImport)
class FreelancerImportAdmin(admin.ModelAdmin):
    """Read-only: an import is made and run from the talent pool's pages (its rows may hold
    personal data, so they are not listed here)."""

    list_display = ["filename", "workspace", "status", "total_rows", "processed_rows", "imported_rows", "created_at"]
    list_filter = ["status"]
    exclude = ["rows"]
    readonly_fields = ["workspace", "created_by", "filename", "status", "total_rows", "processed_rows",
                       "imported_rows", "errors", "created_at", "started_at", "finished_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
