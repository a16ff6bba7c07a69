"""Freelancers and vetting (API.md): profiles, references, interviews, the scorecard and the
decision. Owner and manager tokens only (a freelancer token gets 404). Every view calls the
same service functions as the web pages (freelancers.services / references / interviews /
vetting), so the rules, the field errors (400) and the state conflicts (409) are the same.
"""

from django.db import transaction
from django.urls import Resolver404, path, re_path, resolve
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from freelancers import interviews as interview_actions
from freelancers import references as reference_actions
from freelancers import services, vetting
from freelancers.models import (
    REFERENCE_RATINGS,
    Decision,
    Freelancer,
    FreelancerStatus,
    Interview,
    InterviewKind,
    InterviewOutcome,
    RateUnit,
    RedFlag,
    Reference,
)
from freelancers.money import to_major
from freelancers.selectors import Filters, freelancer_search

from .permissions import IsWorkspaceStaff, get_scoped_or_404, scoped, token_of
from .schema import errors

try:  # The reliability record is the engagements app's; show it once that app provides it.
    from engagements.selectors import reliability_record
except ImportError:  # pragma: no cover - depends on the engagements app's progress
    reliability_record = None

MAX_ID = 2**63 - 1


def _workspace(request):
    return token_of(request).workspace


def _get(request, queryset, pk, workspace_path):
    if pk > MAX_ID:
        raise NotFound()
    return get_scoped_or_404(request, queryset, workspace_path=workspace_path, pk=pk)


def _freelancer(request, pk):
    return _get(request, Freelancer.objects.all(), pk, "workspace")


# --- Serializers ---------------------------------------------------------------------------------
class FreelancerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Freelancer
        fields = ["id", "name", "email", "headline", "skills", "timezone", "country", "rate_amount", "rate_unit",
                  "currency", "links", "notes", "status", "do_not_hire", "do_not_hire_reason", "created_at",
                  "updated_at"]
        read_only_fields = fields


class FreelancerWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150)
    email = serializers.EmailField(max_length=254)
    headline = serializers.CharField(max_length=200, required=False, allow_blank=True)
    skills = serializers.ListField(child=serializers.CharField(max_length=50), required=False, max_length=50)
    timezone = serializers.CharField(max_length=64, required=False, help_text="IANA name, e.g. Europe/Lisbon.")
    country = serializers.CharField(max_length=2, required=False, allow_blank=True)
    rate_amount = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=2**31 - 1,
        error_messages={"min_value": "The rate cannot be negative."},
        help_text="Minor units of `currency` (4550 = 45.50).",
    )
    rate_unit = serializers.ChoiceField(choices=RateUnit.choices, required=False)
    currency = serializers.CharField(min_length=3, max_length=3, required=False, help_text="ISO 4217.")
    links = serializers.ListField(child=serializers.URLField(max_length=500), required=False, max_length=20)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=20000)


class FreelancerPatchSerializer(FreelancerWriteSerializer):
    status = serializers.ChoiceField(
        choices=FreelancerStatus.choices, required=False,
        help_text="A pipeline move (prospect ⇄ vetting, reopening). Approving and rejecting go through "
                  "`POST /freelancers/{id}/decision/` (409 here).",
    )
    do_not_hire = serializers.BooleanField(required=False)
    do_not_hire_reason = serializers.CharField(required=False, allow_blank=True, max_length=5000)

    def validate(self, attrs):
        if attrs.get("do_not_hire") and not (attrs.get("do_not_hire_reason") or "").strip():
            raise serializers.ValidationError({"do_not_hire_reason": ["Say why this person should not be hired."]})
        return attrs


class FreelancerFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=FreelancerStatus.choices + [("do_not_hire", "Do not hire")],
                                     required=False)
    skill = serializers.CharField(required=False, max_length=50)
    q = serializers.CharField(required=False, max_length=200, help_text="Name, email, headline, notes, skills.")
    timezone = serializers.CharField(required=False, max_length=64)
    rate_min = serializers.IntegerField(required=False, min_value=0, max_value=2**31 - 1,
                                        help_text="Minor units, in the workspace's currency.")
    rate_max = serializers.IntegerField(required=False, min_value=0, max_value=2**31 - 1)


class AnswersSerializer(serializers.Serializer):
    quality = serializers.IntegerField()
    reliability = serializers.IntegerField()
    communication = serializers.IntegerField()
    deadlines = serializers.IntegerField()
    would_rehire = serializers.BooleanField()
    what_to_know = serializers.CharField()


class ReferenceSerializer(serializers.ModelSerializer):
    answers = serializers.SerializerMethodField()

    class Meta:
        model = Reference
        fields = ["id", "freelancer", "name", "email", "relationship", "company", "status", "requested_at",
                  "expires_at", "reminders_sent", "answered_at", "answers", "decline_reason", "created_at"]
        read_only_fields = fields

    @extend_schema_field(AnswersSerializer(allow_null=True))
    def get_answers(self, reference):
        if reference.status != "received":
            return None
        return {"quality": reference.quality, "reliability": reference.reliability,
                "communication": reference.communication, "deadlines": reference.deadlines,
                "would_rehire": reference.would_rehire, "what_to_know": reference.what_to_know}


class ReferenceCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150)
    email = serializers.EmailField(max_length=254)
    relationship = serializers.CharField(max_length=150)
    company = serializers.CharField(max_length=150, required=False, allow_blank=True)


class AwareDateTimeField(serializers.DateTimeField):
    """ISO 8601 with an offset (API.md): a time without one is refused rather than guessed."""

    def to_internal_value(self, value):
        try:
            parsed = parse_datetime(value) if isinstance(value, str) else None
        except ValueError:  # well-formed but impossible ("12:99"): DRF's own message below
            parsed = None
        if isinstance(value, str) and parsed is not None and parsed.tzinfo is None:
            raise serializers.ValidationError("Include a UTC offset, e.g. 2026-05-04T15:00:00+02:00.")
        return super().to_internal_value(value)


class InterviewSerializer(serializers.ModelSerializer):
    scores = serializers.SerializerMethodField()
    interviewer = serializers.EmailField(source="interviewer.email", allow_null=True, read_only=True)
    # May be empty, so not typed as a URI in the schema.
    meeting_url = serializers.CharField(read_only=True)

    class Meta:
        model = Interview
        fields = ["id", "freelancer", "kind", "scheduled_at", "duration_minutes", "meeting_url",
                  "organizer_timezone", "interviewer", "cancelled_at", "scores", "red_flags", "notes", "outcome",
                  "scored_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(child=serializers.IntegerField(min_value=1, max_value=5)))
    def get_scores(self, interview):
        return {s.criterion: s.score for s in interview.scores.all()}


class InterviewCreateSerializer(serializers.Serializer):
    scheduled_at = AwareDateTimeField(help_text="ISO 8601 with offset; must be in the future.")
    duration_minutes = serializers.IntegerField(required=False, default=15, min_value=5, max_value=480)
    kind = serializers.ChoiceField(choices=InterviewKind.choices, required=False, default=InterviewKind.INTRO)
    meeting_url = serializers.URLField(required=False, allow_blank=True, default="", max_length=500)


class InterviewPatchSerializer(serializers.Serializer):
    scheduled_at = AwareDateTimeField(required=False, help_text="Reschedules (the freelancer gets an updated .ics).")
    duration_minutes = serializers.IntegerField(required=False, min_value=5, max_value=480)
    kind = serializers.ChoiceField(choices=InterviewKind.choices, required=False)
    meeting_url = serializers.URLField(required=False, allow_blank=True, max_length=500)
    scores = serializers.DictField(child=serializers.IntegerField(), required=False,
                                   help_text="criterion name → 1..5 (the workspace's criteria).")
    red_flags = serializers.ListField(child=serializers.ChoiceField(choices=RedFlag.choices), required=False)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    outcome = serializers.ChoiceField(choices=InterviewOutcome.choices, required=False)

    SCHEDULE = ("scheduled_at", "duration_minutes", "kind", "meeting_url")
    SCORE = ("scores", "red_flags", "notes", "outcome")


class DecisionRequestSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.Verdict.choices)
    reason = serializers.CharField(max_length=5000)
    confirm = serializers.BooleanField(
        required=False, default=False,
        help_text="Required (true) to approve with fewer than 2 answered references or any red flag.",
    )


class DecisionSerializer(serializers.ModelSerializer):
    decided_by = serializers.EmailField(source="decided_by.email", allow_null=True, read_only=True)

    class Meta:
        model = Decision
        fields = ["id", "freelancer", "decision", "reason", "decided_by", "decided_at", "references_received",
                  "red_flags", "confirmed_warnings"]
        read_only_fields = fields


ScorecardSerializer = inline_serializer("Scorecard", fields={
    "freelancer": serializers.IntegerField(),
    "status": serializers.ChoiceField(choices=FreelancerStatus.choices),
    "do_not_hire": serializers.BooleanField(),
    "references": serializers.DictField(),
    "interviews": serializers.DictField(),
    "red_flags": serializers.ListField(child=serializers.DictField()),
    "trial": serializers.ListField(child=serializers.DictField()),
    "reliability": serializers.DictField(allow_null=True),
    "samples": serializers.ListField(child=serializers.DictField()),
    "warnings": serializers.ListField(child=serializers.CharField()),
    "decisions": DecisionSerializer(many=True),
})


# --- Freelancers ---------------------------------------------------------------------------------
class FreelancerList(generics.ListAPIView):
    permission_classes = [IsWorkspaceStaff]
    serializer_class = FreelancerSerializer

    def get_queryset(self):
        params = FreelancerFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        wanted = dict(params.validated_data)
        workspace = _workspace(self.request)
        for bound in ("rate_min", "rate_max"):
            if bound in wanted:
                wanted[bound] = to_major(wanted[bound], workspace.currency)
        return scoped(self.request, freelancer_search(workspace, Filters(**wanted)))

    @extend_schema(operation_id="freelancers_list", summary="The talent pool",
                   parameters=[FreelancerFilterSerializer],
                   responses={200: FreelancerSerializer(many=True), **errors(400, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(operation_id="freelancers_create", summary="Add a freelancer (as a prospect)",
                   request=FreelancerWriteSerializer, responses={201: FreelancerSerializer, **errors(400, 404)})
    def post(self, request):
        payload = FreelancerWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        if "timezone" in data:
            data["timezone_name"] = data.pop("timezone")
        freelancer = services.freelancer_create(workspace=_workspace(request), actor=request.user, **data)
        return Response(FreelancerSerializer(freelancer).data, status=status.HTTP_201_CREATED)


class FreelancerDetail(APIView):
    permission_classes = [IsWorkspaceStaff]

    @extend_schema(operation_id="freelancers_retrieve", summary="A freelancer's profile",
                   responses={200: FreelancerSerializer, **errors(404)})
    def get(self, request, pk):
        return Response(FreelancerSerializer(_freelancer(request, pk)).data)

    @extend_schema(operation_id="freelancers_partial_update", summary="Change a profile, move it, mark do not hire",
                   request=FreelancerPatchSerializer, responses={200: FreelancerSerializer, **errors(400, 404, 409)})
    @transaction.atomic
    def patch(self, request, pk):
        freelancer = _freelancer(request, pk)
        payload = FreelancerPatchSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        move_to = data.pop("status", None)
        do_not_hire = data.pop("do_not_hire", None)
        reason = data.pop("do_not_hire_reason", "")
        if data:
            services.freelancer_update(freelancer=freelancer, actor=request.user, **data)
        if move_to is not None and move_to != freelancer.status:
            services.freelancer_move(freelancer=freelancer, to_status=move_to, actor=request.user)
        if do_not_hire is True and not freelancer.do_not_hire:
            services.freelancer_mark_do_not_hire(freelancer=freelancer, actor=request.user, reason=reason)
        elif do_not_hire is False and freelancer.do_not_hire:
            services.freelancer_clear_do_not_hire(freelancer=freelancer, actor=request.user, reason=reason)
        freelancer.refresh_from_db()
        return Response(FreelancerSerializer(freelancer).data)


class FreelancerDecisionView(APIView):
    permission_classes = [IsWorkspaceStaff]

    @extend_schema(
        operation_id="freelancers_decision", summary="Approve or reject, with a reason",
        description="Recorded with who and when. Approving with fewer than 2 answered references or any "
                    "red flag needs `confirm: true` (else 400 on `confirm`). A move the pipeline does not "
                    "allow (approving a prospect) is 409.",
        request=DecisionRequestSerializer, responses={201: DecisionSerializer, **errors(400, 404, 409)},
    )
    def post(self, request, pk):
        freelancer = _freelancer(request, pk)
        payload = DecisionRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        decision = vetting.freelancer_decide(freelancer=freelancer, actor=request.user, decision=data["decision"],
                                             reason=data["reason"], confirmed=data["confirm"])
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


def _scorecard_body(freelancer):
    card = vetting.scorecard(freelancer)
    ratings = {field: avg for (field, _), (_, avg) in zip(REFERENCE_RATINGS, card.reference_averages, strict=True)}
    reliability = None
    if reliability_record is not None:
        reliability = reliability_record(freelancer).as_dict()
    return {
        "freelancer": freelancer.pk,
        "status": freelancer.status,
        "do_not_hire": freelancer.do_not_hire,
        "references": {
            "received": card.references_received_count,
            "total": len(card.references),
            "averages": ratings,
            "overall": card.reference_overall,
            "would_rehire": {"yes": card.would_rehire_yes, "no": card.would_rehire_no},
            "items": ReferenceSerializer(card.references, many=True).data,
        },
        "interviews": {
            "scored": len(card.scored_interviews),
            "criteria": [{"criterion": name, "average": avg, "count": n} for name, avg, n in card.criterion_averages],
            "overall": card.interview_overall,
            "items": InterviewSerializer(card.interviews, many=True).data,
        },
        "red_flags": [{"flag": f["key"], "label": f["label"], "count": f["count"],
                       "interviews": [i.pk for i in f["interviews"]]} for f in card.red_flags],
        "trial": [
            {"engagement": t["engagement"].pk, "title": t["engagement"].title, "status": t["engagement"].status,
             "review": None if t["review"] is None else {
                 "average": t["review"]["average"], "rehire": t["review"]["rehire"],
                 "ratings": {label: value for label, value in t["review"]["ratings"]}}}
            for t in card.trials
        ],
        "reliability": reliability,
        "samples": [{"id": s.pk, "title": s.title, "url": s.url, "file": s.original_filename or None}
                    for s in card.samples],
        "warnings": card.warnings,
        "decisions": DecisionSerializer(card.decisions, many=True).data,
    }


class FreelancerScorecardView(APIView):
    permission_classes = [IsWorkspaceStaff]

    @extend_schema(operation_id="freelancers_scorecard", summary="The vetting scorecard",
                   description="References (averages, count), interview scores per criterion, red flags, "
                               "trial jobs with their review, the reliability record, samples, warnings "
                               "and the decision history.",
                   responses={200: ScorecardSerializer, **errors(404)})
    def get(self, request, pk):
        return Response(_scorecard_body(_freelancer(request, pk)))


# --- References ----------------------------------------------------------------------------------
class ReferenceList(APIView):
    permission_classes = [IsWorkspaceStaff]

    @extend_schema(operation_id="freelancers_references_list", summary="A freelancer's referees",
                   responses={200: ReferenceSerializer(many=True), **errors(404)})
    def get(self, request, pk):
        freelancer = _freelancer(request, pk)
        return Response(ReferenceSerializer(freelancer.references.all(), many=True).data)

    @extend_schema(operation_id="freelancers_references_create", summary="Add a referee (draft)",
                   description="Then `POST /references/{id}/request/` emails the questionnaire link.",
                   request=ReferenceCreateSerializer, responses={201: ReferenceSerializer, **errors(400, 404)})
    def post(self, request, pk):
        freelancer = _freelancer(request, pk)
        payload = ReferenceCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        reference = reference_actions.reference_create(freelancer=freelancer, **payload.validated_data)
        return Response(ReferenceSerializer(reference).data, status=status.HTTP_201_CREATED)


def _reference(request, pk):
    return _get(request, Reference.objects.select_related("freelancer__workspace"), pk, "freelancer__workspace")


class ReferenceDetail(APIView):
    permission_classes = [IsWorkspaceStaff]

    @extend_schema(operation_id="references_retrieve", summary="A reference, with its answers once received",
                   responses={200: ReferenceSerializer, **errors(404)})
    def get(self, request, pk):
        return Response(ReferenceSerializer(_reference(request, pk)).data)


class ReferenceRequestView(APIView):
    permission_classes = [IsWorkspaceStaff]

    @extend_schema(operation_id="references_request", summary="Email the referee the questionnaire link",
                   description="draft, requested (sends a new link; the old one stops working) or expired → "
                               "requested. Single-use link, 14 days, at most two reminders. Received or "
                               "declined: 409.",
                   request=None, responses={200: ReferenceSerializer, **errors(404, 409)})
    def post(self, request, pk):
        reference = reference_actions.reference_request(reference=_reference(request, pk), actor=request.user)
        return Response(ReferenceSerializer(reference).data)


# --- Interviews ----------------------------------------------------------------------------------
def _interview(request, pk):
    qs = Interview.objects.select_related("freelancer__workspace", "interviewer").prefetch_related("scores")
    return _get(request, qs, pk, "freelancer__workspace")


class InterviewList(APIView):
    permission_classes = [IsWorkspaceStaff]

    @extend_schema(operation_id="freelancers_interviews_list", summary="A freelancer's interviews",
                   responses={200: InterviewSerializer(many=True), **errors(404)})
    def get(self, request, pk):
        freelancer = _freelancer(request, pk)
        qs = freelancer.interviews.select_related("interviewer").prefetch_related("scores")
        return Response(InterviewSerializer(qs, many=True).data)

    @extend_schema(operation_id="freelancers_interviews_create",
                   summary="Schedule an interview (the freelancer is emailed an .ics invitation)",
                   request=InterviewCreateSerializer, responses={201: InterviewSerializer, **errors(400, 404)})
    def post(self, request, pk):
        freelancer = _freelancer(request, pk)
        payload = InterviewCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        interview = interview_actions.interview_schedule(
            freelancer=freelancer, actor=request.user, organizer_timezone=request.user.timezone,
            **payload.validated_data,
        )
        return Response(InterviewSerializer(interview).data, status=status.HTTP_201_CREATED)


class InterviewDetail(APIView):
    permission_classes = [IsWorkspaceStaff]

    @extend_schema(operation_id="interviews_retrieve", summary="An interview and its scorecard",
                   responses={200: InterviewSerializer, **errors(404)})
    def get(self, request, pk):
        return Response(InterviewSerializer(_interview(request, pk)).data)

    @extend_schema(
        operation_id="interviews_partial_update", summary="Reschedule, or record the scorecard",
        description="`scheduled_at`/`duration_minutes`/`kind`/`meeting_url` reschedule (emailing an updated "
                    ".ics); `scores`/`red_flags`/`notes`/`outcome` record the scorecard (fields left out keep "
                    "their values). A cancelled interview is 409.",
        request=InterviewPatchSerializer, responses={200: InterviewSerializer, **errors(400, 404, 409)},
    )
    @transaction.atomic
    def patch(self, request, pk):
        interview = _interview(request, pk)
        payload = InterviewPatchSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if any(field in data for field in InterviewPatchSerializer.SCHEDULE):
            interview_actions.interview_reschedule(
                interview=interview, actor=request.user, scheduled_at=data.get("scheduled_at", interview.scheduled_at),
                duration_minutes=data.get("duration_minutes"), kind=data.get("kind"),
                meeting_url=data.get("meeting_url"),
            )
        if any(field in data for field in InterviewPatchSerializer.SCORE):
            current = {s.criterion: s.score for s in interview.scores.all()}
            interview_actions.interview_score(
                interview=interview, actor=request.user, scores=data.get("scores", current),
                red_flags=data.get("red_flags", interview.red_flags), notes=data.get("notes", interview.notes),
                outcome=data.get("outcome", interview.outcome),
            )
        return Response(InterviewSerializer(_interview(request, pk)).data)


@extend_schema(exclude=True)
class UnknownId(APIView):
    """`/freelancers/abc/…` and the like: a JSON 404 (401 without a token) from a DRF view for
    every method, rather than falling through to a plain Django view where an unsafe method
    would meet the CSRF check."""

    permission_classes = [IsWorkspaceStaff]

    def _not_found(self, request):
        if not request.path.endswith("/"):
            try:
                match = resolve(request.path + "/")
            except Resolver404:
                match = None
            if match is not None and getattr(match.func, "view_class", None) is not UnknownId:
                raise NotFound(f"Not found. Did you mean {request.path}/ (with a trailing slash)?")
        raise NotFound()

    def http_method_not_allowed(self, request, *args, **kwargs):
        self._not_found(request)

    def get(self, request, *args, **kwargs):
        self._not_found(request)

    post = put = patch = delete = get


urlpatterns = [
    path("freelancers/", FreelancerList.as_view(), name="freelancers"),
    path("freelancers/<int:pk>/", FreelancerDetail.as_view(), name="freelancer"),
    path("freelancers/<int:pk>/decision/", FreelancerDecisionView.as_view(), name="freelancer-decision"),
    path("freelancers/<int:pk>/scorecard/", FreelancerScorecardView.as_view(), name="freelancer-scorecard"),
    path("freelancers/<int:pk>/references/", ReferenceList.as_view(), name="freelancer-references"),
    path("freelancers/<int:pk>/interviews/", InterviewList.as_view(), name="freelancer-interviews"),
    path("references/<int:pk>/", ReferenceDetail.as_view(), name="reference"),
    path("references/<int:pk>/request/", ReferenceRequestView.as_view(), name="reference-request"),
    path("interviews/<int:pk>/", InterviewDetail.as_view(), name="interview"),
    re_path(r"^(?:freelancers|references|interviews)/.+$", UnknownId.as_view()),
]
