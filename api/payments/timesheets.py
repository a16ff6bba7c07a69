"""Timesheets of hourly engagements (payments.services.timesheets), like the pages and the portal.

- `GET /engagements/{id}/timesheets/`, `GET /timesheets/{id}/`: owner and manager tokens, and
  the engagement's freelancer.
- The freelancer logs time (`POST /engagements/{id}/time-entries/`, `DELETE /time-entries/{id}/`)
  and submits the week (`POST /timesheets/{id}/submit/`); the weekly cap is enforced (400).
- The owner approves a week (`POST /timesheets/{id}/approve/`, a money action with an
  `Idempotency-Key`: the week's amount becomes owed); owner or manager disputes it with a reason.

Anything a token's role may not do answers 404.
"""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from payments import services
from payments.models import TimeEntry, Timesheet

from ..permissions import IsFreelancer, IsWorkspaceMember, IsWorkspaceStaff
from ..schema import errors
from .access import engagement_or_404, time_entry_or_404, timesheet_or_404, timesheets
from .actions import MoneyAction, money_action
from .serializers import TimeEntryWriteSerializer, TimesheetDisputeSerializer, TimesheetSerializer

_ENTRIES = Prefetch("entries", queryset=TimeEntry.objects.order_by("day", "id"))


def _body(timesheet):
    return TimesheetSerializer(Timesheet.objects.prefetch_related(_ENTRIES).get(pk=timesheet.pk)).data


class EngagementTimesheetList(generics.ListAPIView):
    permission_classes = [IsWorkspaceMember]
    serializer_class = TimesheetSerializer

    def get_queryset(self):
        engagement = engagement_or_404(self.request, self.kwargs["pk"], freelancer_path="freelancer")
        return timesheets(self.request).filter(engagement=engagement).prefetch_related(_ENTRIES).order_by(
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
        engagement = engagement_or_404(request, pk, freelancer_path="freelancer")
        payload = TimeEntryWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        entry = services.timesheet_entry_log(engagement=engagement, actor=request.user, **payload.validated_data)
        return Response(_body(entry.timesheet), status=status.HTTP_201_CREATED)


class TimeEntryDelete(APIView):
    permission_classes = [IsFreelancer]

    @extend_schema(operation_id="time_entries_destroy", summary="Remove a time entry (freelancer)",
                   description="Only while its week is a draft or disputed (else 409).",
                   responses={204: None, **errors(404, 409)})
    def delete(self, request, pk):
        services.timesheet_entry_delete(entry=time_entry_or_404(request, pk), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TimesheetDetail(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(operation_id="timesheets_retrieve", summary="One week with its entries",
                   responses={200: TimesheetSerializer, **errors(404)})
    def get(self, request, pk):
        return Response(_body(timesheet_or_404(request, pk)))


class TimesheetSubmit(APIView):
    permission_classes = [IsFreelancer]

    @extend_schema(operation_id="timesheets_submit", summary="Submit the week for approval (freelancer)",
                   description="draft | disputed → submitted; the hourly rate is fixed now and the owner's approval "
                               "window starts (a week nobody reviews is approved automatically). An empty week or "
                               "one without an hourly rate is 400.",
                   request=None, responses={200: TimesheetSerializer, **errors(400, 404, 409)})
    def post(self, request, pk):
        timesheet = timesheet_or_404(request, pk)
        services.timesheet_submit(timesheet=timesheet, actor=request.user)
        return Response(_body(timesheet))


@money_action(operation_id="timesheets_approve", summary="Approve the week: its amount becomes owed",
              description="submitted | disputed → approved. Owner only. Paid in arrears from the owner's funds, not "
                          "held first.",
              request=None, response=TimesheetSerializer)
class TimesheetApprove(MoneyAction):
    def subject(self, request, pk):
        return timesheet_or_404(request, pk)

    def act(self, request, timesheet, data, key):
        return services.timesheet_approve(timesheet=timesheet, actor=request.user, idempotency_key=key)

    def answer(self, timesheet, tx):
        return _body(timesheet)


class TimesheetDispute(APIView):
    permission_classes = [IsWorkspaceStaff]

    @extend_schema(operation_id="timesheets_dispute", summary="Send the week back to the freelancer, with a reason",
                   description="submitted → disputed; the freelancer corrects it and submits again.",
                   request=TimesheetDisputeSerializer, responses={200: TimesheetSerializer, **errors(400, 404, 409)})
    def post(self, request, pk):
        timesheet = timesheet_or_404(request, pk)
        payload = TimesheetDisputeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.timesheet_dispute(timesheet=timesheet, actor=request.user, reason=payload.validated_data["reason"])
        return Response(_body(timesheet))
