"""Milestones: the plan (budget and date warnings, over-budget confirmation) and the work
transitions (the freelancer submits, the owner requests changes), both through payments so the
owner's review clock follows them. The money actions are in api/payments/escrow.py."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from engagements.models import Milestone
from engagements.services import milestone as work
from payments import services as payment_services

from ..parsers import JSONParser
from ..permissions import IsFreelancer, IsWorkspaceMember, IsWorkspaceStaff
from ..schema import errors
from .access import _acting_freelancer, _engagement, _milestone, _staff_only
from .serializers import (
    FeedbackSerializer,
    MilestonePatchSerializer,
    MilestoneResultSerializer,
    MilestoneSerializer,
    MilestoneWriteSerializer,
    SubmitMultipartSerializer,
    SubmitSerializer,
)


def _milestone_body(milestone, warnings=None):
    milestone = Milestone.objects.prefetch_related("submissions__files__attachment").get(pk=milestone.pk)
    body = MilestoneSerializer(milestone).data
    if warnings is not None:
        body["warnings"] = warnings
    return body


class MilestoneList(generics.ListAPIView):
    permission_classes = [IsWorkspaceMember]
    serializer_class = MilestoneSerializer

    def get_queryset(self):
        engagement = _engagement(self.request, self.kwargs["pk"])
        return engagement.milestones.prefetch_related("submissions__files__attachment").order_by("position", "id")

    @extend_schema(operation_id="engagements_milestones_list", summary="An engagement's milestones, in order",
                   responses={200: MilestoneSerializer(many=True), **errors(404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(operation_id="engagements_milestones_create", summary="Add a milestone",
                   description="Above the budget it warns (`warnings`); above budget + contingency it is refused "
                               "(400 on `amount`) unless `confirm_over_budget` is true. A due date outside the "
                               "engagement's window warns; one before today is refused (400 on `due_on`) unless "
                               "`confirm_past_due` is true.",
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
            confirm_past_due=data.get("confirm_past_due", False),
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
        payment_services.milestone_request_changes(milestone=milestone, actor=request.user,
                                                   feedback=payload.validated_data["feedback"])
        return Response(_milestone_body(milestone))
