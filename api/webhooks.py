"""Outgoing webhooks (owner tokens only; managers and freelancers get 404, like the audit log):
`/webhook-endpoints/` (list, create — the only answer that carries the signing secret),
`/webhook-endpoints/{id}/` (read, change, delete), `rotate-secret/`, `test/`, the delivery
log `/webhook-endpoints/{id}/deliveries/` and `/webhook-deliveries/{id}/redeliver/`."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from notifications.webhooks import selectors, services
from notifications.webhooks.events import EVENT_CHOICES, EVENT_TYPES

from .permissions import IsWorkspaceOwner, get_scoped_or_404, scoped, token_of
from .schema import errors

EVENTS_HELP = "Event types to receive: " + ", ".join(f"`{name}`" for name in EVENT_TYPES) + "."


def _events_field(**kwargs):
    return serializers.ListField(child=serializers.ChoiceField(choices=EVENT_CHOICES), min_length=1,
                                 max_length=len(EVENT_TYPES), help_text=EVENTS_HELP, **kwargs)


class WebhookEndpointSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_CHOICES), help_text=EVENTS_HELP)
    previous_secret_expires_at = serializers.DateTimeField(
        source="previous_secret_until", allow_null=True,
        help_text="After a rotation the previous secret also signs until then (null: only the current one signs).")

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "description", "events", "active", "disabled_reason", "disabled_at",
                  "consecutive_failures", "previous_secret_expires_at", "created_at", "updated_at"]
        read_only_fields = fields


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(help_text="The signing secret (whsec_…): shown in this answer only, never again.")

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookEndpointWriteSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=2000, help_text="https (a public address; private, loopback and link-local "
                                                          "targets are refused).")
    events = _events_field()
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class WebhookEndpointPatchSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=2000, required=False)
    events = _events_field(required=False)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    active = serializers.BooleanField(required=False, help_text="Turn the endpoint off or on again (on again clears "
                                                                "its failure count).")


class RotatedSecretSerializer(serializers.Serializer):
    secret = serializers.CharField(help_text="The new signing secret: shown in this answer only.")
    previous_secret_expires_at = serializers.DateTimeField()


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "at", "status_code", "duration_ms", "error", "response_body"]
        read_only_fields = fields


class WebhookDeliverySerializer(serializers.ModelSerializer):
    event_id = serializers.CharField(source="event.uid",
                                     help_text="The `webhook-id` header, the same on every attempt.")
    event_type = serializers.CharField(source="event.type")
    endpoint = serializers.IntegerField(source="endpoint_id")
    attempt = serializers.IntegerField(source="attempts", help_text="Attempts made so far.")
    status_code = serializers.IntegerField(source="last_status_code", allow_null=True)
    log = WebhookAttemptSerializer(source="attempt_log", many=True, help_text="Every attempt, newest first.")

    class Meta:
        model = WebhookDelivery
        fields = ["id", "event_id", "event_type", "endpoint", "status", "attempt", "status_code", "last_error",
                  "delivered_at", "next_attempt_at", "created_at", "log"]
        read_only_fields = fields


def _endpoint(request, pk):
    return get_scoped_or_404(request, WebhookEndpoint.objects.all(), pk=pk)


def _delivery(request, pk):
    qs = WebhookDelivery.objects.select_related("event", "endpoint").prefetch_related("attempt_log")
    return get_scoped_or_404(request, qs, workspace_path="endpoint__workspace", pk=pk)


class EndpointList(generics.ListAPIView):
    permission_classes = [IsWorkspaceOwner]
    serializer_class = WebhookEndpointSerializer

    def get_queryset(self):
        return scoped(self.request, WebhookEndpoint.objects.all()).order_by("created_at", "id")

    @extend_schema(operation_id="webhook_endpoints_list", summary="The workspace's webhook endpoints",
                   responses={200: WebhookEndpointSerializer(many=True), **errors(400, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(operation_id="webhook_endpoints_create",
                   summary="Add an endpoint (its secret is in this answer only)",
                   request=WebhookEndpointWriteSerializer,
                   responses={201: WebhookEndpointCreatedSerializer, **errors(400, 404, 409)})
    def post(self, request):
        payload = WebhookEndpointWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        endpoint, secret = services.webhook_endpoint_create(workspace=token_of(request).workspace, actor=request.user,
                                                            **payload.validated_data)
        endpoint.secret = secret
        response = Response(WebhookEndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response


class EndpointDetail(APIView):
    permission_classes = [IsWorkspaceOwner]

    @extend_schema(operation_id="webhook_endpoints_retrieve", summary="One endpoint (never its secret)",
                   responses={200: WebhookEndpointSerializer, **errors(404)})
    def get(self, request, pk):
        return Response(WebhookEndpointSerializer(_endpoint(request, pk)).data)

    @extend_schema(operation_id="webhook_endpoints_partial_update", summary="Change an endpoint, turn it off or on",
                   request=WebhookEndpointPatchSerializer,
                   responses={200: WebhookEndpointSerializer, **errors(400, 404)})
    def patch(self, request, pk):
        endpoint = _endpoint(request, pk)
        payload = WebhookEndpointPatchSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        endpoint = services.webhook_endpoint_update(endpoint=endpoint, actor=request.user, **payload.validated_data)
        return Response(WebhookEndpointSerializer(endpoint).data)

    @extend_schema(operation_id="webhook_endpoints_destroy", summary="Delete an endpoint and its delivery log",
                   request=None, responses={204: None, **errors(404)})
    def delete(self, request, pk):
        services.webhook_endpoint_delete(endpoint=_endpoint(request, pk), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class EndpointRotateSecret(APIView):
    permission_classes = [IsWorkspaceOwner]

    @extend_schema(operation_id="webhook_endpoints_rotate_secret",
                   summary="A new signing secret; the previous one keeps signing for 24 h", request=None,
                   responses={200: RotatedSecretSerializer, **errors(404)})
    def post(self, request, pk):
        endpoint = _endpoint(request, pk)
        secret = services.webhook_endpoint_rotate_secret(endpoint=endpoint, actor=request.user)
        response = Response({"secret": secret, "previous_secret_expires_at": endpoint.previous_secret_until})
        response["Cache-Control"] = "no-store"
        return response


class EndpointTest(APIView):
    permission_classes = [IsWorkspaceOwner]

    @extend_schema(operation_id="webhook_endpoints_test", summary="Send a `webhook.test` event to this endpoint",
                   request=None, responses={202: WebhookDeliverySerializer, **errors(404, 409)})
    def post(self, request, pk):
        event = services.webhook_test_send(endpoint=_endpoint(request, pk), actor=request.user)
        return Response(WebhookDeliverySerializer(_delivery(request, event.deliveries.get().pk)).data,
                        status=status.HTTP_202_ACCEPTED)


class DeliveryList(generics.ListAPIView):
    permission_classes = [IsWorkspaceOwner]
    serializer_class = WebhookDeliverySerializer

    def get_queryset(self):
        return selectors.endpoint_deliveries(_endpoint(self.request, self.kwargs["pk"]))

    @extend_schema(operation_id="webhook_deliveries_list", summary="An endpoint's delivery log, newest first",
                   responses={200: WebhookDeliverySerializer(many=True), **errors(400, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class DeliveryRedeliver(APIView):
    permission_classes = [IsWorkspaceOwner]

    @extend_schema(operation_id="webhook_deliveries_redeliver",
                   summary="Send a delivery again now (same webhook-id), with a fresh retry schedule",
                   request=None, responses={202: WebhookDeliverySerializer, **errors(404, 409)})
    def post(self, request, pk):
        delivery = services.webhook_delivery_redeliver(delivery=_delivery(request, pk), actor=request.user)
        return Response(WebhookDeliverySerializer(_delivery(request, delivery.pk)).data,
                        status=status.HTTP_202_ACCEPTED)


urlpatterns = [
    path("webhook-endpoints/", EndpointList.as_view(), name="webhook-endpoints"),
    path("webhook-endpoints/<int:pk>/", EndpointDetail.as_view(), name="webhook-endpoint"),
    path("webhook-endpoints/<int:pk>/rotate-secret/", EndpointRotateSecret.as_view(), name="webhook-endpoint-rotate"),
    path("webhook-endpoints/<int:pk>/test/", EndpointTest.as_view(), name="webhook-endpoint-test"),
    path("webhook-endpoints/<int:pk>/deliveries/", DeliveryList.as_view(), name="webhook-deliveries"),
    path("webhook-deliveries/<int:pk>/redeliver/", DeliveryRedeliver.as_view(), name="webhook-delivery-redeliver"),
]
