"""Timesheets of hourly engagements (payments.timesheets), like the pages and the portal.

- `GET /engagements/{id}/timesheets/`, `GET /timesheets/{id}/`: owner and manager tokens, and
  the engagement's freelancer.
- The freelancer logs time (`POST /engagements/{id}/time-entries/`, `DELETE /time-entries/{id}/`)
  and submits the week (`POST /timesheets/{id}/submit/`); the weekly cap is enforced (400).
- The owner approves a week (`POST /timesheets/{id}/approve/`, a money action with an
  `Idempotency-Key`: the week's amount becomes owed); owner or manager disputes it with a reason.

Anything a token's role may not do answers 404.
"""

from django.db import transaction
from django.db.models import Prefetch
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from engagements.models import Engagement
from payments import services
from payments.models import TimeEntry, Timesheet, TimesheetState, amount_for

from .idempotency import idempotent
from .payments import MAX_ID, _service_key
from .permissions import IsFreelancer, IsWorkspaceMember, IsWorkspaceStaff, get_scoped_or_404, scoped
from .schema import errors


class TimeEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = TimeEntry
        fields = ["id", "day", "minutes", "description"]
        read_only_fields = fields


class TimesheetSerializer(serializers.ModelSerializer):
    state = serializers.ChoiceField(choices=TimesheetState.choices)
    entries = TimeEntrySerializer(many=True)
    total_minutes = serializers.SerializerMethodField()
    amount = serializers.SerializerMethodField(help_text="Minor units at the rate fixed on submission; null before.")

    class Meta:
        model = Timesheet
        fields = ["id", "engagement", "week_start", "state", "entries", "total_minutes", "hourly_rate", "amount",
                  "currency", "submitted_at", "approval_deadline_at", "dispute_reason", "decided_at"]
        read_only_fields = fields

    def get_total_minutes(self, timesheet) -> int:
        return sum(entry.minutes for entry in timesheet.entries.all())

    def get_amount(self, timesheet) -> int | None:
        if timesheet.hourly_rate is None:
            return None
        return amount_for(self.get_total_minutes(timesheet), timesheet.hourly_rate)


class TimeEntryWriteSerializer(serializers.Serializer):
    day = serializers.DateField(help_text="A day that has come, in the freelancer's time zone.")
    minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)
    description = serializers.CharField(max_length=300, help_text="What you worked on.")


class TimesheetDisputeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="What is wrong with the week; the freelancer sees it.")


_ENTRIES = Prefetch("entries", queryset=TimeEntry.objects.order_by("day", "id"))


def _timesheets(request):
    return scoped(request, Timesheet.objects.select_related("engagement__workspace", "engagement__freelancer"),
                  workspace_path="engagement__workspace", freelancer_path="engagement__freelancer")


def _timesheet(request, pk):
    if pk > MAX_ID:
        raise NotFound()
    timesheet = _timesheets(request).filter(pk=pk).first()
    if timesheet is None:
        raise NotFound()
    return timesheet


def _body(timesheet):
    return TimesheetSerializer(Timesheet.objects.prefetch_related(_ENTRIES).get(pk=timesheet.pk)).data


class EngagementTimesheetList(generics.ListAPIView):
    permission_classes = [IsWorkspaceMember]
    serializer_class = TimesheetSerializer

    def get_queryset(self):
        if self.kwargs["pk"] > MAX_ID:
            raise NotFound()
        engagement = get_scoped_or_404(self.request, Engagement.objects.all(), freelancer_path="freelancer",
                                       pk=self.kwargs["pk"])
        return _timesheets(self.request).filter(engagement=engagement).prefetch_related(_ENTRIES).order_by(
            "-week_start")

    @extend_schema(operation_id="engagements_timesheets_list", summary="An hourly engagement's weeks, newest first",
                   responses={200: TimesheetSerializer(many=True), **errors(404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class TimeEntryCreate(APIView):
    permission_classes = [IsFreelancer]

    @extend_schema(operation_id="engagements_time_entries_create", summary="Log time (freelancer)",
                   description="Adds the entry to the week's timesheet (made when first needed) and answers that "
                               "week. Refused (400) past the weekly cap, on a day still to come or outside the week; "
                               "409 once the week was submitted.",
                   request=TimeEntryWriteSerializer, responses={201: TimesheetSerializer, **errors(400, 404, 409)})
    def post(self, request, pk):
        if pk > MAX_ID:
            raise NotFound()
        engagement = get_scoped_or_404(request, Engagement.objects.select_related("freelancer", "workspace"),
                                       freelancer_path="freelancer", pk=pk)
        payload = TimeEntryWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        with transaction.atomic():  # a refused entry leaves no empty week behind
            timesheet = services.timesheet_for_week(engagement=engagement, day=data["day"], actor=request.user)
            services.timesheet_entry_add(timesheet=timesheet, actor=request.user, day=data["day"],
                                         minutes=data["minutes"], description=data["description"])
        return Response(_body(timesheet), status=status.HTTP_201_CREATED)


class TimeEntryDelete(APIView):
    permission_classes = [IsFreelancer]

    @extend_schema(operation_id="time_entries_destroy", summary="Remove a time entry (freelancer)",
                   description="Only while its week is a draft or disputed (else 409).",
                   responses={204: None, **errors(404, 409)})
    def delete(self, request, pk):
        if pk > MAX_ID:
            raise NotFound()
        entry = get_scoped_or_404(
            request, TimeEntry.objects.select_related("timesheet__engagement__freelancer"),
            workspace_path="timesheet__engagement__workspace", freelancer_path="timesheet__engagement__freelancer",
            pk=pk,
        )
        services.timesheet_entry_delete(entry=entry, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TimesheetDetail(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(operation_id="timesheets_retrieve", summary="One week with its entries",
                   responses={200: TimesheetSerializer, **errors(404)})
    def get(self, request, pk):
        return Response(_body(_timesheet(request, pk)))


class TimesheetSubmit(APIView):
    permission_classes = [IsFreelancer]

    @extend_schema(operation_id="timesheets_submit", summary="Submit the week for approval (freelancer)",
                   description="draft | disputed → submitted; the hourly rate is fixed now and the owner's approval "
                               "window starts (a week nobody reviews is approved automatically). An empty week or "
                               "one without an hourly rate is 400.",
                   request=None, responses={200: TimesheetSerializer, **errors(400, 404, 409)})
    def post(self, request, pk):
        timesheet = _timesheet(request, pk)
        services.timesheet_submit(timesheet=timesheet, actor=request.user)
        return Response(_body(timesheet))


class TimesheetApprove(APIView):
    permission_classes = [IsWorkspaceStaff]

    @extend_schema(operation_id="timesheets_approve", summary="Approve the week: its amount becomes owed",
                   description="submitted | disputed → approved. Owner only. Paid in arrears from the owner's "
                               "funds, not escrowed.",
                   request=None, responses={200: TimesheetSerializer, **errors(400, 404, 409)})
    @idempotent
    def post(self, request, pk):
        timesheet = _timesheet(request, pk)
        services.timesheet_approve(timesheet=timesheet, actor=request.user, idempotency_key=_service_key(request))
        return Response(_body(timesheet))


class TimesheetDispute(APIView):
    permission_classes = [IsWorkspaceStaff]

    @extend_schema(operation_id="timesheets_dispute", summary="Send the week back to the freelancer, with a reason",
                   description="submitted → disputed; the freelancer corrects it and submits again.",
                   request=TimesheetDisputeSerializer, responses={200: TimesheetSerializer, **errors(400, 404, 409)})
    def post(self, request, pk):
        timesheet = _timesheet(request, pk)
        payload = TimesheetDisputeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.timesheet_dispute(timesheet=timesheet, actor=request.user, reason=payload.validated_data["reason"])
        return Response(_body(timesheet))


urlpatterns = [
    path("engagements/<int:pk>/timesheets/", EngagementTimesheetList.as_view(), name="engagement-timesheets"),
    path("engagements/<int:pk>/time-entries/", TimeEntryCreate.as_view(), name="engagement-time-entries"),
    path("time-entries/<int:pk>/", TimeEntryDelete.as_view(), name="time-entry"),
    path("timesheets/<int:pk>/", TimesheetDetail.as_view(), name="timesheet"),
    path("timesheets/<int:pk>/submit/", TimesheetSubmit.as_view(), name="timesheet-submit"),
    path("timesheets/<int:pk>/approve/", TimesheetApprove.as_view(), name="timesheet-approve"),
    path("timesheets/<int:pk>/dispute/", TimesheetDispute.as_view(), name="timesheet-dispute"),
]
