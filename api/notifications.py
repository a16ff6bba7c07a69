"""The workspace's notification outbox: `GET /notifications/` (owner and manager tokens)."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from notifications.models import Notification, NotificationStatus

from .fields import query_filters
from .permissions import IsWorkspaceStaff, scoped
from .schema import errors

MAX_ID = 2**63 - 1


class NotificationSerializer(serializers.ModelSerializer):
    # `context` is deliberately absent: it can hold one-time links (invitations, password resets).
    recipient = serializers.EmailField(source="recipient_email")
    engagement = serializers.IntegerField(source="engagement_id", allow_null=True,
                                          help_text="The engagement the email is about, if any.")
    not_before = serializers.DateTimeField(
        allow_null=True, help_text="A reminder held for decent hours (08:00–20:00 in the recipient's time zone) "
                                   "is not sent before this moment.")

    class Meta:
        model = Notification
        fields = ["id", "kind", "recipient", "status", "dedupe_key", "created_at", "sent_at",
                  "attempts", "last_error", "engagement", "not_before"]
        read_only_fields = fields


class NotificationFilterSerializer(serializers.Serializer):
    kind = serializers.CharField(required=False, max_length=64,
                                 help_text="e.g. `update_reminder`, `update_overdue`, `teammate_invitation`.")
    engagement = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    status = serializers.ChoiceField(required=False, choices=NotificationStatus.choices)


class NotificationList(generics.ListAPIView):
    permission_classes = [IsWorkspaceStaff]
    serializer_class = NotificationSerializer

    def get_queryset(self):
        qs = scoped(self.request, Notification.objects.all())
        wanted = query_filters(NotificationFilterSerializer, self.request)
        if "kind" in wanted:
            qs = qs.filter(kind=wanted["kind"])
        if "engagement" in wanted:
            qs = qs.filter(engagement_id=wanted["engagement"])
        if "status" in wanted:
            qs = qs.filter(status=wanted["status"])
        return qs.order_by("-created_at", "-id")

    @extend_schema(
        operation_id="notifications_list",
        summary="The workspace's outbox",
        description="Every email the workspace sent or is sending, newest first.",
        parameters=[NotificationFilterSerializer],
        responses={200: NotificationSerializer(many=True), **errors(400, 404)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


urlpatterns = [
    path("notifications/", NotificationList.as_view(), name="notifications"),
]
