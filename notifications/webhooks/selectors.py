"""Reads the webhook pages and the API share."""

from django.db.models import Count, Q

from ..models import DeliveryStatus, WebhookDelivery, WebhookEndpoint


def workspace_endpoints(workspace):
    return WebhookEndpoint.objects.filter(workspace=workspace).annotate(
        failed_count=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
        pending_count=Count("deliveries", filter=Q(deliveries__status__in=[DeliveryStatus.PENDING,
                                                                            DeliveryStatus.SENDING])),
    ).order_by("created_at", "id")


def endpoint_deliveries(endpoint):
    """The delivery log, newest first, each with its event and its attempts."""
    return (WebhookDelivery.objects.filter(endpoint=endpoint).select_related("event")
            .prefetch_related("attempt_log").order_by("-created_at", "-id"))


def workspace_deliveries(workspace):
    return WebhookDelivery.objects.filter(endpoint__workspace=workspace).select_related("endpoint", "event")
