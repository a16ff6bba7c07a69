"""Engagements (API.md): engagements and their lifecycle, versioned briefs and their
acknowledgement, brief questions, milestones with the work transitions, status updates and
check-ins. Every view calls the same actions as the owner pages and the portal
(engagements.services / briefs / work / reporting), so the rules, the field errors (400) and
the state conflicts (409) are the same.

Owner and manager tokens see and change their workspace. A freelancer token sees only that
freelancer's engagements (and only the brief versions sent to them), and does the freelancer's
part: acknowledge a brief, ask about it, submit a milestone, post a status update. Anything
else answers 404.
"""

from django.db import transaction
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from engagements import briefs, reporting, services, work
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
    StatusUpdate,
    Submission,
)
from engagements.selectors import engagement_list
from freelancers.models import Freelancer
from payments import services as payment_services

from .freelancers import AwareDateTimeField
from .models import TokenRole
from .permissions import IsFreelancer, IsWorkspaceMember, IsWorkspaceStaff, scoped, token_of
from .schema import errors

MAX_ID = 2**63 - 1
MAX_MONEY = 10**15


def _token(request):
    return token_of(request)


def _is_freelancer(request):
    return _token(request).role == TokenRole.FREELANCER


def _staff_only(request):
    """Writes reserved to owners and managers: a freelancer token gets 404, like anywhere else."""
    if _is_freelancer(request):
        raise NotFound()


def _acting_freelancer(request):
    return Freelancer.objects.get(pk=_token(request).freelancer_id)


def _get(request, queryset, pk, *, workspace_path, freelancer_path):
    if pk > MAX_ID:
        raise NotFound()
    obj = scoped(request, queryset, workspace_path=workspace_path, freelancer_path=freelancer_path).filter(
        pk=pk).first()
    if obj is None:
        raise NotFound()
    return obj


def _engagement(request, pk):
    return _get(request, Engagement.objects.select_related("freelancer", "workspace"), pk,
                workspace_path="workspace", freelancer_path="freelancer")


def _milestone(request, pk):
    return _get(request, Milestone.objects.select_related("engagement__freelancer", "engagement__workspace"), pk,
                workspace_path="engagement__workspace", freelancer_path="engagement__freelancer")


def _visible_briefs(request, queryset):
    queryset = scoped(request, queryset, workspace_path="engagement__workspace",
                      freelancer_path="engagement__freelancer")
    if _is_freelancer(request):
        # A freelancer sees the versions they were asked to read, never the owner's unsent draft.
        queryset = queryset.filter(sent_at__isnull=False)
    return queryset


def _brief(request, pk):
    if pk > MAX_ID:
        raise NotFound()
    brief = _visible_briefs(request, Brief.objects.select_related("engagement")).filter(pk=pk).first()
    if brief is None:
        raise NotFound()
    return brief


# --- Serializers ---------------------------------------------------------------------------------
class EngagementSerializer(serializers.ModelSerializer):
    backups = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Engagement
        fields = ["id", "freelancer", "title", "kind", "pay_terms", "weekly_hour_cap", "budget",
                  "contingency_percent", "currency", "starts_on", "target_end_on", "update_every_days",
                  "update_grace_hours", "checkin_every_days", "reporting_preference", "subcontracting_allowed",
                  "backups", "status", "next_update_due_at", "next_checkin_at", "offered_at", "activated_at",
                  "ended_at", "end_reason", "created_at"]
        read_only_fields = fields


class EngagementWriteSerializer(serializers.Serializer):
    freelancer = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=EngagementKind.choices, required=False)
    pay_terms = serializers.ChoiceField(choices=PayTerms.choices, required=False)
    weekly_hour_cap = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=168)
    budget = serializers.IntegerField(required=False, min_value=0, max_value=MAX_MONEY,
                                      help_text="Minor units of `currency` (150000 = 1,500.00).")
    contingency_percent = serializers.IntegerField(required=False, min_value=0, max_value=100)
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False, help_text="ISO 4217, e.g. USD.")
    starts_on = serializers.DateField(required=False, allow_null=True)
    target_end_on = serializers.DateField(required=False, allow_null=True)
    update_every_days = serializers.IntegerField(required=False, min_value=1, max_value=60)
    update_grace_hours = serializers.IntegerField(required=False, min_value=0, max_value=168)
    checkin_every_days = serializers.IntegerField(required=False, min_value=1, max_value=90)
    reporting_preference = serializers.ChoiceField(choices=ReportingPreference.choices, required=False)
    subcontracting_allowed = serializers.BooleanField(required=False)
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
    title = serializers.CharField(max_length=200, required=False)


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
    title = serializers.CharField(max_length=200)
    acceptance_criteria = serializers.CharField(max_length=20000)
    due_on = serializers.DateField(required=False, allow_null=True)
    amount = serializers.IntegerField(min_value=1, max_value=MAX_MONEY, help_text="Minor units.")
    confirm_over_budget = serializers.BooleanField(
        required=False, default=False,
        help_text="Needed (true) when the milestones would total more than budget + contingency (else 400).")


class MilestonePatchSerializer(MilestoneWriteSerializer):
    title = serializers.CharField(max_length=200, required=False)
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


# --- Engagements ---------------------------------------------------------------------------------
def _freelancers(request, ids):
    workspace_id = _token(request).workspace_id
    found = {f.pk: f for f in Freelancer.objects.filter(workspace_id=workspace_id, pk__in=ids)}
    if set(ids) - set(found):
        raise serializers.ValidationError({"backups": ["Choose freelancers of this workspace."]})
    return [found[i] for i in ids]


def _freelancer_field(request, pk):
    freelancer = Freelancer.objects.filter(workspace_id=_token(request).workspace_id, pk=pk).first()
    if freelancer is None:
        raise serializers.ValidationError({"freelancer": ["Choose a freelancer from this workspace."]})
    return freelancer


class EngagementList(generics.ListAPIView):
    permission_classes = [IsWorkspaceMember]
    serializer_class = EngagementSerializer

    def get_queryset(self):
        params = EngagementFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        wanted = params.validated_data
        rows = engagement_list(_token(self.request).workspace, status=wanted.get("status"),
                               freelancer_id=wanted.get("freelancer"), at_risk=wanted.get("at_risk", False))
        return scoped(self.request, rows.prefetch_related("backups"), freelancer_path="freelancer")

    @extend_schema(operation_id="engagements_list", summary="Engagements (a freelancer token: their own)",
                   parameters=[EngagementFilterSerializer],
                   responses={200: EngagementSerializer(many=True), **errors(400, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(operation_id="engagements_create", summary="Create an engagement (a draft)",
                   request=EngagementWriteSerializer, responses={201: EngagementSerializer, **errors(400, 404)})
    def post(self, request):
        _staff_only(request)
        payload = EngagementWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        freelancer = _freelancer_field(request, data.pop("freelancer"))
        backups = _freelancers(request, data.pop("backups", []))
        engagement = services.engagement_create(workspace=_token(request).workspace, created_by=request.user,
                                                freelancer=freelancer, backups=backups, **data)
        return Response(EngagementSerializer(engagement).data, status=status.HTTP_201_CREATED)


class EngagementDetail(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(operation_id="engagements_retrieve", summary="An engagement",
                   responses={200: EngagementSerializer, **errors(404)})
    def get(self, request, pk):
        return Response(EngagementSerializer(_engagement(request, pk)).data)

    @extend_schema(operation_id="engagements_partial_update",
                   summary="Change the terms (a cadence change recomputes the deadlines)",
                   description="The freelancer can change only while a draft, the currency only while no "
                               "milestone exists; a finished engagement cannot change (409).",
                   request=EngagementPatchSerializer, responses={200: EngagementSerializer, **errors(400, 404, 409)})
    def patch(self, request, pk):
        _staff_only(request)
        engagement = _engagement(request, pk)
        payload = EngagementPatchSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        freelancer = _freelancer_field(request, data.pop("freelancer")) if "freelancer" in data else None
        backups = _freelancers(request, data.pop("backups")) if "backups" in data else None
        services.engagement_update(engagement=engagement, actor=request.user, freelancer=freelancer,
                                   backups=backups, **data)
        return Response(EngagementSerializer(_engagement(request, pk)).data)


LIFECYCLE = {
    "offer": ("Offer: email the current brief to the freelancer to acknowledge",
              "draft → offered. Needs a brief (and, for fixed-price work, a milestone): else 409. The "
              "engagement becomes active when the freelancer acknowledges the current brief version."),
    "withdraw": ("Withdraw the offer", "offered → draft."),
    "pause": ("Pause: no update or check-in deadlines run", "active → paused."),
    "resume": ("Resume: the update cadence restarts now", "paused → active."),
    "complete": ("Complete: every access grant is revoked",
                 "active → completed. Refused (409) while a milestone holds money (funded, submitted, changes "
                 "requested, disputed). The owner gets a rotate-this-secret item for each revoked grant."),
    "cancel": ("Cancel: every access grant is revoked",
               "draft | offered | active | paused → cancelled. Refused (409) while a milestone holds money."),
}


def _lifecycle_view(action):
    summary, description = LIFECYCLE[action]

    class LifecycleView(APIView):
        permission_classes = [IsWorkspaceStaff]

        @extend_schema(operation_id=f"engagements_{action}", summary=summary, description=description,
                       request=ReasonSerializer, responses={200: EngagementSerializer, **errors(400, 404, 409)})
        def post(self, request, pk):
            engagement = _engagement(request, pk)
            payload = ReasonSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            reason = payload.validated_data.get("reason", "")
            if action in ("offer", "withdraw", "resume"):
                getattr(services, f"engagement_{action}")(engagement=engagement, actor=request.user)
            else:
                getattr(services, f"engagement_{action}")(engagement=engagement, actor=request.user, reason=reason)
            return Response(EngagementSerializer(_engagement(request, pk)).data)

    LifecycleView.__name__ = f"Engagement{action.capitalize()}View"
    return LifecycleView.as_view()


# --- Briefs ----------------------------------------------------------------------------------------
class BriefList(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(operation_id="engagements_briefs_list", summary="The brief's versions, newest first",
                   description="A freelancer token sees only the versions sent to them.",
                   responses={200: BriefSerializer(many=True), **errors(404)})
    def get(self, request, pk):
        engagement = _engagement(request, pk)
        return Response(BriefSerializer(_visible_briefs(request, engagement.briefs.all()), many=True).data)

    @extend_schema(
        operation_id="engagements_briefs_create", summary="Write the brief (or a change order)",
        description="Until the brief is sent the current version is edited in place (200); after, a change "
                    "makes a new version (201), sent at once when the engagement is under way, which needs a "
                    "new acknowledgement and a `change_summary`. Unchanged text changes nothing (200).",
        request=BriefWriteSerializer, responses={200: BriefSerializer, 201: BriefSerializer, **errors(400, 404, 409)},
    )
    def post(self, request, pk):
        _staff_only(request)
        engagement = _engagement(request, pk)
        payload = BriefWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        brief, created = briefs.brief_save(engagement=engagement, actor=request.user,
                                           change_summary=data.pop("change_summary", ""), **data)
        return Response(BriefSerializer(brief).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class BriefDetail(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(operation_id="briefs_retrieve", summary="One version of a brief",
                   responses={200: BriefSerializer, **errors(404)})
    def get(self, request, pk):
        return Response(BriefSerializer(_brief(request, pk)).data)


class BriefAcknowledge(APIView):
    permission_classes = [IsFreelancer]

    @extend_schema(operation_id="briefs_acknowledge", summary="Acknowledge the current brief (freelancer)",
                   description="Offered → active on the first acknowledgement. Acknowledging a version that is "
                               "no longer current is 409; twice is harmless.",
                   request=None, responses={200: BriefSerializer, **errors(404, 409)})
    def post(self, request, pk):
        brief = _brief(request, pk)
        return Response(BriefSerializer(briefs.brief_acknowledge(brief_id=brief.pk,
                                                                 freelancer=_acting_freelancer(request))).data)


class QuestionList(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(operation_id="briefs_questions_list", summary="Questions and answers on an engagement's brief",
                   responses={200: QuestionSerializer(many=True), **errors(404)})
    def get(self, request, pk):
        brief = _brief(request, pk)
        qs = BriefQuestion.objects.filter(engagement_id=brief.engagement_id).select_related("brief")
        return Response(QuestionSerializer(qs, many=True).data)

    @extend_schema(operation_id="briefs_questions_create", summary="Ask about the brief (freelancer)",
                   request=QuestionAskSerializer, responses={201: QuestionSerializer, **errors(400, 404, 409)})
    def post(self, request, pk):
        if not _is_freelancer(request):
            raise NotFound()
        brief = _brief(request, pk)
        payload = QuestionAskSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        question = briefs.brief_question_ask(brief_id=brief.pk, freelancer=_acting_freelancer(request),
                                             body=payload.validated_data["body"])
        return Response(QuestionSerializer(question).data, status=status.HTTP_201_CREATED)


class QuestionAnswer(APIView):
    permission_classes = [IsWorkspaceStaff]

    @extend_schema(operation_id="questions_answer", summary="Answer a question about the brief",
                   request=AnswerSerializer, responses={200: QuestionSerializer, **errors(400, 404)})
    def post(self, request, pk):
        if pk > MAX_ID:
            raise NotFound()
        question = scoped(request, BriefQuestion.objects.select_related("engagement__freelancer", "brief"),
                          workspace_path="engagement__workspace").filter(pk=pk).first()
        if question is None:
            raise NotFound()
        payload = AnswerSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        question = briefs.brief_question_answer(question=question, actor=request.user,
                                                answer=payload.validated_data["answer"])
        return Response(QuestionSerializer(question).data)


# --- Milestones ------------------------------------------------------------------------------------
def _milestone_body(milestone, warnings=None):
    milestone = Milestone.objects.prefetch_related("submissions__files").get(pk=milestone.pk)
    body = MilestoneSerializer(milestone).data
    if warnings is not None:
        body["warnings"] = warnings
    return body


class MilestoneList(generics.ListAPIView):
    permission_classes = [IsWorkspaceMember]
    serializer_class = MilestoneSerializer

    def get_queryset(self):
        engagement = _engagement(self.request, self.kwargs["pk"])
        return engagement.milestones.prefetch_related("submissions__files").order_by("position", "id")

    @extend_schema(operation_id="engagements_milestones_list", summary="An engagement's milestones, in order",
                   responses={200: MilestoneSerializer(many=True), **errors(404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(operation_id="engagements_milestones_create", summary="Add a milestone",
                   description="Above the budget it warns (`warnings`); above budget + contingency it is refused "
                               "(400 on `amount`) unless `confirm_over_budget` is true. A due date outside the "
                               "engagement's window warns.",
                   request=MilestoneWriteSerializer,
                   responses={201: MilestoneResultSerializer, **errors(400, 404, 409)})
    def post(self, request, pk):
        _staff_only(request)
        engagement = _engagement(request, pk)
        payload = MilestoneWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        milestone, warnings = work.milestone_create(engagement=engagement, actor=request.user,
                                                    **payload.validated_data)
        return Response(_milestone_body(milestone, warnings), status=status.HTTP_201_CREATED)


class MilestoneDetail(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(operation_id="milestones_retrieve", summary="A milestone with every submission round",
                   responses={200: MilestoneSerializer, **errors(404)})
    def get(self, request, pk):
        return Response(_milestone_body(_milestone(request, pk)))

    @extend_schema(operation_id="milestones_partial_update", summary="Change a milestone's plan",
                   description="The amount only before it is funded; nothing once it is settled (409).",
                   request=MilestonePatchSerializer,
                   responses={200: MilestoneResultSerializer, **errors(400, 404, 409)})
    def patch(self, request, pk):
        _staff_only(request)
        milestone = _milestone(request, pk)
        payload = MilestonePatchSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        milestone, warnings = work.milestone_update(
            milestone=milestone, actor=request.user, title=data.get("title", milestone.title),
            acceptance_criteria=data.get("acceptance_criteria", milestone.acceptance_criteria),
            amount=data.get("amount", milestone.amount), due_on=data.get("due_on", milestone.due_on),
            confirm_over_budget=data.get("confirm_over_budget", False),
        )
        return Response(_milestone_body(milestone, warnings))


class MilestoneSubmit(APIView):
    permission_classes = [IsFreelancer]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        operation_id="milestones_submit", summary="Submit the work (freelancer)",
        description="funded | changes_requested → submitted; each round is kept. Any other state is 409. "
                    "Without subcontracting, `attest_own_work` must be true (else 400). Files: multipart, "
                    "`files` (checked by content, size-limited).",
        request={"application/json": SubmitSerializer, "multipart/form-data": SubmitMultipartSerializer},
        responses={200: MilestoneSerializer, **errors(400, 404, 409)},
    )
    def post(self, request, pk):
        milestone = _milestone(request, pk)
        multipart = request.content_type.startswith("multipart/")
        payload = (SubmitMultipartSerializer if multipart else SubmitSerializer)(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        # Through payments, so the owner's review clock (auto-release deadline) starts with it.
        payment_services.milestone_submit_for_review(
            milestone_id=milestone.pk, freelancer=_acting_freelancer(request), message=data["message"],
            links=data.get("links", []), files=data.get("files", []),
            attest_own_work=data.get("attest_own_work", False),
        )
        return Response(_milestone_body(milestone))


class MilestoneRequestChanges(APIView):
    permission_classes = [IsWorkspaceStaff]

    @extend_schema(operation_id="milestones_request_changes", summary="Request changes, with feedback",
                   description="submitted → changes_requested; the feedback is kept on the round. Any other "
                               "state is 409.",
                   request=FeedbackSerializer, responses={200: MilestoneSerializer, **errors(400, 404, 409)})
    def post(self, request, pk):
        milestone = _milestone(request, pk)
        payload = FeedbackSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        work.milestone_request_changes(milestone=milestone, actor=request.user,
                                       feedback=payload.validated_data["feedback"])
        return Response(_milestone_body(milestone))


# --- Status updates and check-ins ---------------------------------------------------------------
class StatusUpdateList(generics.ListAPIView):
    permission_classes = [IsWorkspaceMember]
    serializer_class = StatusUpdateSerializer

    def get_queryset(self):
        return _engagement(self.request, self.kwargs["pk"]).status_updates.order_by("-created_at", "-id")

    @extend_schema(operation_id="engagements_status_updates_list", summary="Status updates, newest first",
                   responses={200: StatusUpdateSerializer(many=True), **errors(404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(operation_id="engagements_status_updates_create", summary="Post a status update (freelancer)",
                   description="Marked `late` when it comes after `next_update_due_at`; the next deadline counts "
                               "from now. Only while the engagement is active or paused (else 409).",
                   request=StatusUpdateWriteSerializer,
                   responses={201: StatusUpdateSerializer, **errors(400, 404, 409)})
    @transaction.atomic
    def post(self, request, pk):
        if not _is_freelancer(request):
            raise NotFound()
        engagement = _engagement(request, pk)
        payload = StatusUpdateWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        update = reporting.status_update_post(engagement_id=engagement.pk, freelancer=_acting_freelancer(request),
                                              **payload.validated_data)
        return Response(StatusUpdateSerializer(update).data, status=status.HTTP_201_CREATED)


class CheckInList(generics.ListAPIView):
    permission_classes = [IsWorkspaceMember]
    serializer_class = CheckInSerializer

    def get_queryset(self):
        return _engagement(self.request, self.kwargs["pk"]).checkins.order_by("-scheduled_at", "-id")

    @extend_schema(operation_id="engagements_check_ins_list", summary="Check-ins, latest first",
                   responses={200: CheckInSerializer(many=True), **errors(404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(operation_id="engagements_check_ins_create", summary="Schedule (or record) a check-in",
                   description="Without `happened` it is scheduled (the freelancer is emailed an .ics once the "
                               "engagement was offered); with `happened` true/false it records a past one. "
                               "`next_checkin_at` is recomputed.",
                   request=CheckInWriteSerializer, responses={201: CheckInSerializer, **errors(400, 404, 409)})
    def post(self, request, pk):
        _staff_only(request)
        engagement = _engagement(request, pk)
        payload = CheckInWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        checkin = reporting.checkin_schedule(engagement=engagement, actor=request.user, **payload.validated_data)
        return Response(CheckInSerializer(checkin).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("engagements/", EngagementList.as_view(), name="engagements"),
    path("engagements/<int:pk>/", EngagementDetail.as_view(), name="engagement"),
    *[path(f"engagements/<int:pk>/{action}/", _lifecycle_view(action), name=f"engagement-{action}")
      for action in LIFECYCLE],
    path("engagements/<int:pk>/briefs/", BriefList.as_view(), name="engagement-briefs"),
    path("engagements/<int:pk>/milestones/", MilestoneList.as_view(), name="engagement-milestones"),
    path("engagements/<int:pk>/status-updates/", StatusUpdateList.as_view(), name="engagement-status-updates"),
    path("engagements/<int:pk>/check-ins/", CheckInList.as_view(), name="engagement-check-ins"),
    path("briefs/<int:pk>/", BriefDetail.as_view(), name="brief"),
    path("briefs/<int:pk>/acknowledge/", BriefAcknowledge.as_view(), name="brief-acknowledge"),
    path("briefs/<int:pk>/questions/", QuestionList.as_view(), name="brief-questions"),
    path("questions/<int:pk>/answer/", QuestionAnswer.as_view(), name="question-answer"),
    path("milestones/<int:pk>/", MilestoneDetail.as_view(), name="milestone"),
    path("milestones/<int:pk>/submit/", MilestoneSubmit.as_view(), name="milestone-submit"),
    path("milestones/<int:pk>/request-changes/", MilestoneRequestChanges.as_view(),
         name="milestone-request-changes"),
]
