"""Interviews: schedule (the freelancer is emailed an .ics), reschedule, record the scorecard."""

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from freelancers.services import interview as interview_actions

from ..permissions import IsWorkspaceStaff
from ..schema import errors
from .common import freelancer_or_404, interview_or_404
from .serializers import InterviewCreateSerializer, InterviewPatchSerializer, InterviewSerializer


class InterviewList(generics.ListAPIView):
    # A generic list view so it is paginated like every list (API.md).
    permission_classes = [IsWorkspaceStaff]
    serializer_class = InterviewSerializer

    def get_queryset(self):
        freelancer = freelancer_or_404(self.request, self.kwargs["pk"])
        return freelancer.interviews.select_related("interviewer").prefetch_related("scores").order_by(
            "scheduled_at", "id")

    @extend_schema(operation_id="freelancers_interviews_list", summary="A freelancer's interviews",
                   responses={200: InterviewSerializer(many=True), **errors(404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(operation_id="freelancers_interviews_create",
                   summary="Schedule an interview (the freelancer is emailed an .ics invitation)",
                   request=InterviewCreateSerializer, responses={201: InterviewSerializer, **errors(400, 404)})
    def post(self, request, pk):
        freelancer = freelancer_or_404(request, pk)
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
        return Response(InterviewSerializer(interview_or_404(request, pk)).data)

    @extend_schema(
        operation_id="interviews_partial_update", summary="Reschedule, or record the scorecard",
        description="`scheduled_at`/`duration_minutes`/`kind`/`meeting_url` reschedule (emailing an updated "
                    ".ics); `scores`/`red_flags`/`notes`/`outcome` record the scorecard (fields left out keep "
                    "their values). A cancelled interview is 409.",
        request=InterviewPatchSerializer, responses={200: InterviewSerializer, **errors(400, 404, 409)},
    )
    @transaction.atomic
    def patch(self, request, pk):
        interview = interview_or_404(request, pk)
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
        return Response(InterviewSerializer(interview_or_404(request, pk)).data)
