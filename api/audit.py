"""The workspace's audit log: `GET /audit-log/` and `GET /audit-log.csv` (owner tokens only)."""

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.views import APIView

from accounts.audit import audit_log_csv
from accounts.csv_export import CSV_MEDIA_TYPE
from accounts.models import AUDIT_ACTIONS, AUDIT_COLUMNS, AuditEvent

from .fields import query_filters
from .permissions import IsWorkspaceOwner, token_of
from .schema import errors

COLUMNS = AUDIT_COLUMNS


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.EmailField(source="actor_email", allow_null=True,
                                   help_text="Who acted; null for the system or an anonymous visitor.")

    class Meta:
        model = AuditEvent
        fields = COLUMNS
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["actor"] = data["actor"] or None
        return data


class AuditFilterSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=[(a, a) for a in AUDIT_ACTIONS], required=False)


def _events(request):
    events = AuditEvent.objects.filter(workspace_id=token_of(request).workspace_id)
    wanted = query_filters(AuditFilterSerializer, request)
    if "action" in wanted:
        events = events.filter(action=wanted["action"])
    return events.order_by("-at", "-id")


class AuditLogList(generics.ListAPIView):
    permission_classes = [IsWorkspaceOwner]
    serializer_class = AuditEventSerializer

    def get_queryset(self):
        return _events(self.request)

    @extend_schema(operation_id="audit_log_list", summary="The workspace's audit log, newest first",
                   description="Sign-ins and failures, denied accesses, reveals, role, token and money "
                               "actions: who, when, what, from which address. Owner tokens only.",
                   parameters=[AuditFilterSerializer],
                   responses={200: AuditEventSerializer(many=True), **errors(400, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class AuditLogCsv(APIView):
    permission_classes = [IsWorkspaceOwner]

    @extend_schema(operation_id="audit_log_csv", summary="The audit log as CSV (formula-safe)",
                   parameters=[AuditFilterSerializer],
                   responses={(200, CSV_MEDIA_TYPE): OpenApiResponse(OpenApiTypes.STR), **errors(400, 404)})
    def get(self, request):
        return audit_log_csv(_events(request))


urlpatterns = [
    path("audit-log/", AuditLogList.as_view(), name="audit-log"),
    path("audit-log.csv", AuditLogCsv.as_view(), name="audit-log-csv"),
]
