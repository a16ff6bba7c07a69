"""Request and response bodies of the engagement endpoints (API.md)."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.fields import single_line
from engagements.models import (
    BRIEF_SECTIONS,
    Brief,
    BriefQuestion,
    CheckIn,
    CheckInStatus,
    Engagement,
    EngagementKind,
    EngagementStatus,
    Milestone,
    PayTerms,
    ReportingPreference,
    RetainerPeriodLength,
    StatusUpdate,
    Submission,
)
from engagements.selectors import unread_count

from ..freelancers import AwareDateTimeField
from .access import MAX_ID, MAX_MONEY


class EngagementSerializer(serializers.ModelSerializer):
    backups = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    unread_messages = serializers.SerializerMethodField(
        help_text="Messages in the conversation the token's user has not read.")

    class Meta:
        model = Engagement
        fields = ["id", "freelancer", "title", "kind", "pay_terms", "weekly_hour_cap", "retainer_amount",
                  "retainer_hours", "retainer_period", "commission_percent", "budget",
                  "contingency_percent", "currency", "starts_on", "target_end_on", "update_every_days",
                  "update_grace_hours", "checkin_every_days", "reporting_preference",
                  "subcontracting_allowed", "self_billing_proposed", "backups", "status", "next_update_due_at",
                  "next_checkin_at", "offered_at", "activated_at",
                  "ended_at", "end_reason", "created_at", "unread_messages"]
        read_only_fields = fields

    def get_unread_messages(self, engagement) -> int:
        # Lists annotate it in their one query (selectors.with_unread); a single engagement counts.
        value = getattr(engagement, "unread_messages", None)
        if value is None:
            request = self.context.get("request")
            value = unread_count(engagement, request.user) if request is not None else 0
        return value


class EngagementWriteSerializer(serializers.Serializer):
    freelancer = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    title = serializers.CharField(max_length=200, validators=[single_line])
    kind = serializers.ChoiceField(choices=EngagementKind.choices, required=False)
    pay_terms = serializers.ChoiceField(choices=PayTerms.choices, required=False)
    weekly_hour_cap = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=168)
    retainer_amount = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_MONEY,
        help_text="Retainer only: minor units of `currency` funded at the start of each period.")
    retainer_hours = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=744,
                                              help_text="Retainer only: hours included in each period.")
    retainer_period = serializers.ChoiceField(choices=RetainerPeriodLength.choices, required=False,
                                              help_text="Retainer only: the length of a period.")
    commission_percent = serializers.DecimalField(
        required=False, allow_null=True, max_digits=5, decimal_places=2, min_value=Decimal("0.01"),
        max_value=Decimal("100"), help_text="Commission only: 0 < percent ≤ 100, two decimals.")
    budget = serializers.IntegerField(required=False, min_value=0, max_value=MAX_MONEY,
                                      help_text="Minor units of `currency` (150000 = 1,500.00).")
    contingency_percent = serializers.IntegerField(required=False, min_value=0, max_value=100)
    currency = serializers.RegexField(r"^[A-Z]{3}$", min_length=3, max_length=3, required=False,
                                       help_text="ISO 4217, e.g. USD.")
    starts_on = serializers.DateField(required=False, allow_null=True)
    target_end_on = serializers.DateField(required=False, allow_null=True)
    update_every_days = serializers.IntegerField(required=False, min_value=1, max_value=60)
    update_grace_hours = serializers.IntegerField(required=False, min_value=0, max_value=168)
    checkin_every_days = serializers.IntegerField(required=False, min_value=1, max_value=90)
    reporting_preference = serializers.ChoiceField(choices=ReportingPreference.choices, required=False)
    subcontracting_allowed = serializers.BooleanField(required=False)
    self_billing_proposed = serializers.BooleanField(
        required=False, help_text="The next agreement version offers self-billing; the app issues the freelancer's "
                                  "invoices in their name once both sides signed a version with that clause.")
    backups = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False,
                                    max_length=20, help_text="Freelancer ids (approved, on the bench).")

    def validate(self, attrs):
        start, end = attrs.get("starts_on"), attrs.get("target_end_on")
        if start and end and end < start:
            raise serializers.ValidationError({"target_end_on": ["The target end cannot be before the start."]})
        return attrs


class EngagementPatchSerializer(EngagementWriteSerializer):
    freelancer = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False,
                                          help_text="Only while the engagement is a draft (else 409).")
    title = serializers.CharField(max_length=200, required=False, validators=[single_line])


class EngagementFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=EngagementStatus.choices, required=False)
    freelancer = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    at_risk = serializers.BooleanField(required=False, help_text="Active with an overdue update or milestone.")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300,
                                   help_text="Shared with the freelancer (complete, cancel, pause).")


class BriefSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = Brief
        fields = ["id", "engagement", "version", *[name for name, _ in BRIEF_SECTIONS], "change_summary",
                  "sent_at", "acknowledged_at", "created_at"]
        read_only_fields = fields


class BriefWriteSerializer(serializers.Serializer):
    goal = serializers.CharField(max_length=20000)
    deliverables = serializers.CharField(max_length=20000)
    acceptance_criteria = serializers.CharField(max_length=20000)
    out_of_scope = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    timeline = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    communication_plan = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    change_summary = serializers.CharField(
        required=False, allow_blank=True, max_length=5000,
        help_text="Required for a new version after the brief was sent (a change order).")


class QuestionSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="brief.version", read_only=True)

    class Meta:
        model = BriefQuestion
        fields = ["id", "engagement", "brief", "version", "body", "asked_at", "answer", "answered_at"]
        read_only_fields = fields


class QuestionAskSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=5000)


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=20000)


class SubmissionSerializer(serializers.ModelSerializer):
    files = serializers.SerializerMethodField()

    class Meta:
        model = Submission
        fields = ["round", "message", "links", "attested_own_work", "submitted_at", "outcome", "feedback",
                  "feedback_at", "files"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_files(self, submission):
        return [{"name": f.original_name, "size": f.size, "content_type": f.content_type}
                for f in submission.files.all()]


class MilestoneSerializer(serializers.ModelSerializer):
    submissions = SubmissionSerializer(many=True, read_only=True)

    class Meta:
        model = Milestone
        fields = ["id", "engagement", "position", "title", "acceptance_criteria", "due_on", "due_at", "amount",
                  "currency", "state", "review_deadline_at", "state_changed_at", "submissions"]
        read_only_fields = fields


class MilestoneResultSerializer(MilestoneSerializer):
    warnings = serializers.ListField(child=serializers.CharField(), read_only=True,
                                     help_text="Budget and date warnings (the milestone was saved).")

    class Meta(MilestoneSerializer.Meta):
        fields = [*MilestoneSerializer.Meta.fields, "warnings"]
        read_only_fields = fields


class MilestoneWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, validators=[single_line])
    acceptance_criteria = serializers.CharField(max_length=20000)
    due_on = serializers.DateField(required=False, allow_null=True)
    amount = serializers.IntegerField(min_value=1, max_value=MAX_MONEY, help_text="Minor units.")
    confirm_over_budget = serializers.BooleanField(
        required=False, default=False,
        help_text="Needed (true) when the milestones would total more than budget + contingency (else 400).")
    confirm_past_due = serializers.BooleanField(
        required=False, default=False,
        help_text="Needed (true) for a due date before today (else 400 on `due_on`).")


class MilestonePatchSerializer(MilestoneWriteSerializer):
    title = serializers.CharField(max_length=200, required=False, validators=[single_line])
    acceptance_criteria = serializers.CharField(max_length=20000, required=False)
    amount = serializers.IntegerField(min_value=1, max_value=MAX_MONEY, required=False,
                                      help_text="Only before the milestone is funded (else 409).")


class SubmitSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=20000)
    links = serializers.ListField(child=serializers.CharField(max_length=2000), required=False, max_length=20)
    attest_own_work = serializers.BooleanField(
        required=False, default=False,
        help_text="Required (true) when the engagement does not allow subcontracting: “I did this work myself.”")


class SubmitMultipartSerializer(SubmitSerializer):
    files = serializers.ListField(child=serializers.FileField(), required=False, max_length=10)


class FeedbackSerializer(serializers.Serializer):
    feedback = serializers.CharField(max_length=20000)


class StatusUpdateSerializer(serializers.ModelSerializer):
    hours = serializers.DecimalField(max_digits=6, decimal_places=2, coerce_to_string=False, allow_null=True,
                                     read_only=True)

    class Meta:
        model = StatusUpdate
        fields = ["id", "engagement", "done", "next", "blockers", "percent_complete", "hours", "due_at", "late",
                  "created_at"]
        read_only_fields = fields


class StatusUpdateWriteSerializer(serializers.Serializer):
    done = serializers.CharField(max_length=20000)
    next = serializers.CharField(max_length=20000)
    blockers = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    percent_complete = serializers.IntegerField(min_value=0, max_value=100)
    hours = serializers.DecimalField(required=False, allow_null=True, max_digits=6, decimal_places=2, min_value=0)


class CheckInSerializer(serializers.ModelSerializer):
    happened = serializers.SerializerMethodField()
    # A plain string: empty when there is no link (a `uri` format would refuse "").
    meeting_url = serializers.CharField(read_only=True)

    class Meta:
        model = CheckIn
        fields = ["id", "engagement", "scheduled_at", "duration_minutes", "meeting_url", "agenda", "notes", "status",
                  "happened", "recorded_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_happened(self, checkin):
        if checkin.status == CheckInStatus.SCHEDULED:
            return None
        return checkin.status == CheckInStatus.HAPPENED


class CheckInWriteSerializer(serializers.Serializer):
    scheduled_at = AwareDateTimeField(help_text="ISO 8601 with offset.")
    agenda = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    happened = serializers.BooleanField(
        required=False, allow_null=True, default=None,
        help_text="Leave out (or null) to schedule one; true/false to record a past check-in.")
    duration_minutes = serializers.IntegerField(required=False, default=30, min_value=5, max_value=480)
    meeting_url = serializers.URLField(required=False, allow_blank=True, default="", max_length=200)
