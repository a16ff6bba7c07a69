"""Admin: for support, read-mostly. Secrets never appear: the grant's token is excluded from
every list and form (and is ciphertext anyway)."""

from django.contrib import admin

from .models import (
    AccessGrant,
    AccessReveal,
    Activity,
    Agreement,
    AgreementSettings,
    AgreementSignature,
    AgreementTemplate,
    Attachment,
    AttentionSnooze,
    Brief,
    BriefQuestion,
    CheckIn,
    Engagement,
    InboundEmail,
    Message,
    Milestone,
    MilestoneDateChange,
    PlaybookAcknowledgement,
    PlaybookAckRequest,
    PlaybookDocument,
    PlaybookVersion,
    Review,
    SignedAgreementPdf,
    StatusUpdate,
    Submission,
    SubmissionFile,
    ThreadRead,
    UpdatePrompts,
)


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ["position", "title", "due_on", "amount", "currency", "state"]
    # State moves only through engagements.services.transitions.milestone_transition.
    readonly_fields = ["state"]


@admin.register(Engagement)
class EngagementAdmin(admin.ModelAdmin):
    list_display = ["title", "workspace", "freelancer", "kind", "status", "next_update_due_at", "created_at"]
    list_filter = ["status", "kind", "pay_terms"]
    search_fields = ["title", "freelancer__name", "freelancer__email"]
    raw_id_fields = ["workspace", "freelancer", "created_by", "backups"]
    readonly_fields = ["status", "next_update_due_at", "next_checkin_at", "offered_at", "activated_at", "resumed_at",
                       "ended_at"]
    inlines = [MilestoneInline]

    def get_readonly_fields(self, request, obj=None):
        # An engagement stays in its workspace: its status updates and messages carry it too.
        return [*super().get_readonly_fields(request, obj), *(["workspace"] if obj else [])]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["title", "engagement", "state", "amount", "currency", "due_on"]
    list_filter = ["state"]
    search_fields = ["title", "engagement__title"]
    raw_id_fields = ["engagement"]
    readonly_fields = ["state", "state_changed_at", "due_at", "review_deadline_at"]


@admin.register(Brief)
class BriefAdmin(admin.ModelAdmin):
    list_display = ["engagement", "version", "sent_at", "acknowledged_at"]
    raw_id_fields = ["engagement", "created_by", "acknowledged_by"]


@admin.register(BriefQuestion)
class BriefQuestionAdmin(admin.ModelAdmin):
    list_display = ["engagement", "asked_by", "asked_at", "answered_at"]
    raw_id_fields = ["brief", "engagement", "asked_by", "answered_by"]


class SubmissionFileInline(admin.TabularInline):
    model = SubmissionFile
    extra = 0
    fields = readonly_fields = ["original_name", "content_type", "size", "uploaded_at"]


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["milestone", "round", "submitted_by", "submitted_at", "outcome"]
    raw_id_fields = ["milestone", "submitted_by", "feedback_by"]
    inlines = [SubmissionFileInline]


@admin.register(StatusUpdate)
class StatusUpdateAdmin(admin.ModelAdmin):
    list_display = ["engagement", "freelancer", "percent_complete", "late", "created_at"]
    list_filter = ["late"]
    raw_id_fields = ["engagement", "freelancer"]

    def get_readonly_fields(self, request, obj=None):
        # It carries its engagement's workspace (the search box's filter): it stays on that engagement.
        return [*super().get_readonly_fields(request, obj), *(["engagement"] if obj else [])]


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    list_display = ["engagement", "scheduled_at", "status"]
    list_filter = ["status"]
    raw_id_fields = ["engagement", "created_by", "recorded_by"]


admin.site.register(UpdatePrompts)


class PlaybookVersionInline(admin.TabularInline):
    model = PlaybookVersion
    extra = 0
    fields = ["version", "change_note", "created_at"]
    readonly_fields = fields


@admin.register(PlaybookDocument)
class PlaybookDocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "workspace", "kind", "current_version", "updated_at"]
    raw_id_fields = ["workspace"]
    inlines = [PlaybookVersionInline]


@admin.register(PlaybookAcknowledgement)
class PlaybookAcknowledgementAdmin(admin.ModelAdmin):
    list_display = ["version", "freelancer", "acknowledged_at"]
    raw_id_fields = ["version", "freelancer"]


class AccessRevealInline(admin.TabularInline):
    model = AccessReveal
    extra = 0
    can_delete = False
    fields = ["revealed_at", "freelancer", "user", "via", "ip_address"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AccessGrant)
class AccessGrantAdmin(admin.ModelAdmin):
    list_display = ["label", "engagement", "username", "has_secret", "revoked_at", "rotated_at"]
    search_fields = ["label", "engagement__title"]
    raw_id_fields = ["engagement", "created_by", "revoked_by", "rotated_by"]
    # The encrypted token is never shown; secrets are set through the owner pages.
    exclude = ["secret_token"]
    readonly_fields = ["secret_changed_at", "revoked_at", "rotated_at"]
    inlines = [AccessRevealInline]

    @admin.display(boolean=True, description="secret")
    def has_secret(self, obj):
        return obj.has_secret


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["engagement", "quality", "communication", "timeliness", "rehire", "created_at"]
    raw_id_fields = ["engagement", "created_by"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["created_at", "engagement", "kind", "summary"]
    list_filter = ["kind"]
    raw_id_fields = ["engagement", "actor_user", "actor_freelancer", "milestone"]


@admin.register(PlaybookVersion)
class PlaybookVersionAdmin(admin.ModelAdmin):
    list_display = ["document", "version", "change_note", "created_at"]
    raw_id_fields = ["document", "created_by"]


@admin.register(SubmissionFile)
class SubmissionFileAdmin(admin.ModelAdmin):
    list_display = ["original_name", "submission", "content_type", "size", "uploaded_at"]
    raw_id_fields = ["submission", "attachment"]
    readonly_fields = ["original_name", "content_type", "size", "uploaded_at"]

    def has_add_permission(self, request):
        return False


@admin.register(AccessReveal)
class AccessRevealAdmin(admin.ModelAdmin):
    list_display = ["revealed_at", "grant", "freelancer", "user", "via", "ip_address"]
    raw_id_fields = ["grant", "freelancer", "user"]
    readonly_fields = ["revealed_at", "grant", "freelancer", "user", "via", "ip_address"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PlaybookAckRequest)
class PlaybookAckRequestAdmin(admin.ModelAdmin):
    """Read-only: the nudge ladder moves only through the reminder sweep."""

    list_display = ["engagement", "version", "requested_at", "nudge_step", "nudge_at"]
    raw_id_fields = ["engagement", "version"]
    readonly_fields = ["engagement", "version", "requested_at", "nudge_step", "nudge_at"]

    def has_add_permission(self, request):
        return False


@admin.register(MilestoneDateChange)
class MilestoneDateChangeAdmin(admin.ModelAdmin):
    """Read-only: requests and answers go through engagements.services.due_date."""

    list_display = ["milestone", "previous_on", "proposed_on", "status", "requested_at", "decided_at"]
    list_filter = ["status"]
    raw_id_fields = ["milestone", "requested_by", "decided_by"]
    readonly_fields = ["milestone", "previous_on", "proposed_on", "reason", "requested_by", "requested_at", "status",
                       "decided_by", "decided_at", "response"]

    def has_add_permission(self, request):
        return False


# --- Conversations: support reads them; the thread changes only through the services. -----------
class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    # Files are served only through the pages that check access, never by a media URL.
    fields = readonly_fields = ["name", "content_type", "size", "created_at"]
    can_delete = False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["engagement", "author_name", "via", "created_at", "edited_at", "retracted_at"]
    list_filter = ["via"]
    raw_id_fields = ["engagement", "author_user", "author_freelancer"]
    readonly_fields = ["created_at", "edited_at", "retracted_at", "via"]
    inlines = [AttachmentInline]

    def get_readonly_fields(self, request, obj=None):
        # It carries its engagement's workspace (the search box's filter): it stays on that engagement.
        return [*super().get_readonly_fields(request, obj), *(["engagement"] if obj else [])]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["name", "engagement", "content_type", "size", "created_at"]
    raw_id_fields = ["workspace", "uploaded_by", "engagement", "message"]
    exclude = ["file", "thumbnail"]
    readonly_fields = ["name", "content_type", "size", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(InboundEmail)
class InboundEmailAdmin(admin.ModelAdmin):
    list_display = ["received_at", "sender", "status", "reason", "via"]
    list_filter = ["status", "via"]
    search_fields = ["email_id", "sender", "recipient"]
    readonly_fields = ["email_id", "sender", "recipient", "via", "size", "status", "reason", "message", "received_at"]

    def has_add_permission(self, request):
        return False


@admin.register(ThreadRead)
class ThreadReadAdmin(admin.ModelAdmin):
    list_display = ["engagement", "user", "last_read_id", "read_at", "notify_at"]
    raw_id_fields = ["engagement", "user"]
    readonly_fields = ["last_read_id", "read_at", "notify_at", "emailed_through_id"]


@admin.register(AttentionSnooze)
class AttentionSnoozeAdmin(admin.ModelAdmin):
    list_display = ["key", "user", "workspace", "until"]
    search_fields = ["key", "user__email"]
    raw_id_fields = ["user", "workspace"]


# --- Agreements: templates and settings editable; a version and its signatures read-only (a sent
# version and every signature are refused any change by the database on PostgreSQL). -------------
@admin.register(AgreementTemplate)
class AgreementTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace", "is_default", "updated_at"]
    raw_id_fields = ["workspace"]


@admin.register(AgreementSettings)
class AgreementSettingsAdmin(admin.ModelAdmin):
    list_display = ["workspace", "requires_signed_agreement", "notice_days"]
    raw_id_fields = ["workspace"]


class AgreementSignatureInline(admin.TabularInline):
    model = AgreementSignature
    extra = 0
    can_delete = False
    fields = readonly_fields = ["side", "full_name", "signed_at", "ip", "user_agent", "document_sha256"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["engagement", "version", "sent_at", "created_at"]
    inlines = [AgreementSignatureInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Agreement._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AgreementSignature)
class AgreementSignatureAdmin(admin.ModelAdmin):
    """Every signature, searchable by name; read-only (the database refuses changes anyway)."""

    list_display = ["agreement", "side", "full_name", "signed_at", "ip"]
    list_filter = ["side"]
    search_fields = ["full_name"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in AgreementSignature._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SignedAgreementPdf)
class SignedAgreementPdfAdmin(admin.ModelAdmin):
    """When each signed version's PDF was made (read-only: made once, by the worker)."""

    list_display = ["agreement", "claimed_at", "made_at"]
    fields = readonly_fields = ["agreement", "claimed_at", "made_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
