"""Status updates (the freelancer posts) and check-ins (the owner schedules or records)."""

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from engagements.services import reporting

from ..permissions import IsWorkspaceMember
from ..schema import errors
from .access import _acting_freelancer, _engagement, _is_freelancer, _staff_only
from .serializers import CheckInSerializer, CheckInWriteSerializer, StatusUpdateSerializer, StatusUpdateWriteSerializer


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
