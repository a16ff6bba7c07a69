"""The retainer and commission pay models (API.md "Agreements, pay models and invoices"), over
the same services as the pages and the portal (payments.services.retainer, .commission).

- `GET /engagements/{id}/retainer-periods/`: each period with its hours used against the hours
  included (owner, manager, the engagement's freelancer). `POST /retainer-periods/{id}/dispute/`
  holds a funded period (either side, a reason); `POST /retainer-periods/{id}/resolve/` settles a
  disputed one (owner, a money action with an `Idempotency-Key`).
- `GET /engagements/{id}/commission-reports/` (both sides); `POST` reports a month's base amount
  (owner; a month already settled is 409, an open report of the month is superseded).
  `POST /commission-reports/{id}/dispute/` (freelancer, within the window), `/accept/`
  (freelancer) and `/resolve/` (owner) — the last two release the commission: money actions.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from payments import selectors, services
from payments.models import CommissionReport, RetainerPeriod

from ..permissions import IsFreelancer, IsWorkspaceMember, IsWorkspaceStaff, get_scoped_or_404, is_freelancer, scoped
from ..schema import errors
from .access import MAX_AMOUNT, MAX_ID, engagement_or_404
from .actions import MoneyAction, money_action
from .serializers import DisputeSerializer, ResolveSerializer

_PATHS = {"workspace_path": "engagement__workspace", "freelancer_path": "engagement__freelancer"}


class RetainerPeriodSerializer(serializers.ModelSerializer):
    hours_used = serializers.DecimalField(max_digits=8, decimal_places=2, read_only=True,
                                          help_text="Hours the freelancer logged in the period.")
    hours_over = serializers.DecimalField(max_digits=8, decimal_places=2, read_only=True,
                                          help_text="Hours used beyond the hours included (0 when within).")

    class Meta:
        model = RetainerPeriod
        fields = ["id", "engagement", "starts_on", "ends_on", "amount", "currency", "hours_included", "hours_used",
                  "hours_over", "state", "funded_at", "closed_at", "disputed_at", "dispute_side", "dispute_reason",
                  "release_amount", "refund_amount", "hours_over_at"]
        read_only_fields = fields

    def to_representation(self, period):
        # A page of periods read with `with_hours_used` carries its sums; the hours come from them.
        if not hasattr(period, "hours_used"):
            period.hours_used = selectors.hours_used(period)
            period.hours_over = max(period.hours_used - period.hours_included, 0)
        return super().to_representation(period)


class CommissionReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = CommissionReport
        fields = ["id", "engagement", "period", "base_amount", "percent", "commission_amount", "currency", "status",
                  "note", "reported_at", "dispute_deadline_at", "disputed_at", "dispute_reason", "superseded_by",
                  "released_at"]
        read_only_fields = fields


class CommissionReportWriteSerializer(serializers.Serializer):
    period = serializers.DateField(help_text="Any day of the month reported; stored as its first day.")
    base_amount = serializers.IntegerField(min_value=1, max_value=MAX_AMOUNT,
                                           help_text="Minor units of `currency`: what the commission is a percent of.")
    currency = serializers.RegexField(r"^[A-Z]{3}$", min_length=3, max_length=3, required=False,
                                      help_text="The engagement's (ISO 4217), if given.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000)


def _period_body(period):
    return RetainerPeriodSerializer(selectors.with_hours_used(RetainerPeriod.objects.filter(pk=period.pk)).get()).data


def period_or_404(request, pk):
    if pk > MAX_ID:
        raise NotFound()
    return get_scoped_or_404(request, RetainerPeriod.objects.select_related(
        "engagement__workspace", "engagement__freelancer__user"), **_PATHS, pk=pk)


def report_or_404(request, pk):
    if pk > MAX_ID:
        raise NotFound()
    return get_scoped_or_404(request, CommissionReport.objects.select_related(
        "engagement__workspace", "engagement__freelancer__user"), **_PATHS, pk=pk)


# --- Retainer ---------------------------------------------------------------------------------
class EngagementRetainerPeriodList(generics.ListAPIView):
    permission_classes = [IsWorkspaceMember]
    serializer_class = RetainerPeriodSerializer

    def get_queryset(self):
        engagement = engagement_or_404(self.request, self.kwargs["pk"], freelancer_path="freelancer")
        periods = scoped(self.request, RetainerPeriod.objects.filter(engagement=engagement), **_PATHS)
        return selectors.with_hours_used(periods).order_by("-starts_on", "-id")

    @extend_schema(operation_id="engagements_retainer_periods_list", summary="A retainer's periods, newest first",
                   description="Each period is funded at its start and released at its end unless disputed; "
                               "`hours_used` against `hours_included`, `hours_over` beyond them.",
                   responses={200: RetainerPeriodSerializer(many=True), **errors(404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class RetainerPeriodDispute(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(operation_id="retainer_periods_dispute", summary="Dispute a funded period (either side)",
                   description="funded → disputed, with a reason: the money stays held and is not released at the "
                               "end of the period until the owner resolves it. Moves no money (no Idempotency-Key); "
                               "a period already released or disputed is 409.",
                   request=DisputeSerializer, responses={200: RetainerPeriodSerializer, **errors(400, 404, 409)})
    def post(self, request, pk):
        period = period_or_404(request, pk)
        payload = DisputeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.retainer_period_dispute(period=period, actor=request.user, reason=payload.validated_data["reason"])
        return Response(_period_body(period))


@money_action(operation_id="retainer_periods_resolve", summary="Settle a disputed period: release, refund or split",
              description="disputed → released | refunded | split. Owner only; the two amounts add up to exactly the "
                          "period's amount (else 400).",
              request=ResolveSerializer, response=RetainerPeriodSerializer)
class RetainerPeriodResolve(MoneyAction):
    payload = ResolveSerializer

    def subject(self, request, pk):
        return period_or_404(request, pk)

    def act(self, request, period, data, key):
        return services.retainer_period_resolve(period=period, actor=request.user, idempotency_key=key,
                                                release_amount=data["release_amount"],
                                                refund_amount=data["refund_amount"], note=data.get("note", ""))

    def answer(self, period, tx):
        return _period_body(period)


# --- Commission -------------------------------------------------------------------------------
class EngagementCommissionReportList(generics.ListAPIView):
    permission_classes = [IsWorkspaceMember]
    serializer_class = CommissionReportSerializer

    def get_queryset(self):
        engagement = engagement_or_404(self.request, self.kwargs["pk"], freelancer_path="freelancer")
        return scoped(self.request, CommissionReport.objects.filter(engagement=engagement), **_PATHS).order_by(
            "-period", "-reported_at", "-id")

    @extend_schema(operation_id="engagements_commission_reports_list",
                   summary="A commission engagement's reports, newest month first",
                   responses={200: CommissionReportSerializer(many=True), **errors(404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(operation_id="engagements_commission_reports_create", summary="Report a month's base amount (owner)",
                   description="The commission is the engagement's percent of it, half up to the cent. A month "
                               "already settled is 409; an open report of the month is superseded (a correction). "
                               "The freelancer may dispute it within the workspace's review window; otherwise it "
                               "is released then.",
                   request=CommissionReportWriteSerializer,
                   responses={201: CommissionReportSerializer, **errors(400, 404, 409)})
    def post(self, request, pk):
        if is_freelancer(request):
            raise NotFound()  # reporting is the owner's; a freelancer token learns nothing by it
        engagement = engagement_or_404(request, pk)
        payload = CommissionReportWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        report = services.commission_report_create(engagement=engagement, actor=request.user,
                                                   **payload.validated_data)
        return Response(CommissionReportSerializer(report).data, status=status.HTTP_201_CREATED)


class CommissionReportDispute(APIView):
    permission_classes = [IsFreelancer]

    @extend_schema(operation_id="commission_reports_dispute", summary="Dispute a report (freelancer)",
                   description="reported → disputed, with a reason, before the report's `dispute_deadline_at` "
                               "(after it, or once released, 409). The owner corrects it or resolves it.",
                   request=DisputeSerializer, responses={200: CommissionReportSerializer, **errors(400, 404, 409)})
    def post(self, request, pk):
        report = report_or_404(request, pk)
        payload = DisputeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        report = services.commission_report_dispute(report=report, actor=request.user,
                                                    reason=payload.validated_data["reason"])
        return Response(CommissionReportSerializer(report).data)


class ReportAction(MoneyAction):
    def subject(self, request, pk):
        return report_or_404(request, pk)

    def answer(self, report, tx):
        return CommissionReportSerializer(CommissionReport.objects.get(pk=report.pk)).data


@money_action(operation_id="commission_reports_accept", summary="Accept a report (freelancer): it is paid",
              description="reported → released: the commission becomes owed to the freelancer.",
              request=None, response=CommissionReportSerializer)
class CommissionReportAccept(ReportAction):
    permission_classes = [IsFreelancer]

    def act(self, request, report, data, key):
        return services.commission_report_accept(report=report, actor=request.user, idempotency_key=key)


@money_action(operation_id="commission_reports_resolve", summary="Resolve a disputed report as reported (owner)",
              description="disputed → released. To change the figures instead, report the month again (the new "
                          "report supersedes this one).",
              request=NoteSerializer, response=CommissionReportSerializer)
class CommissionReportResolve(ReportAction):
    permission_classes = [IsWorkspaceStaff]
    payload = NoteSerializer

    def act(self, request, report, data, key):
        return services.commission_report_resolve(report=report, actor=request.user, idempotency_key=key,
                                                  note=data.get("note", ""))
