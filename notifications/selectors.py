from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .models import Notification, NotificationStatus


def workspace_notifications(workspace):
    return Notification.objects.filter(workspace=workspace).select_related("recipient_user")


def stuck_notifications(workspace, *, now=None):
    """The workspace's emails still waiting to go out longer than the grace period after they
    were due (created, or released from a decent-hours hold): what the owner should hear about
    when no worker is sending."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.NOTIFICATION_QUEUED_GRACE_SECONDS)
    return Notification.objects.filter(
        workspace=workspace, status__in=[NotificationStatus.QUEUED, NotificationStatus.SENDING],
    ).filter(Q(not_before__isnull=True, created_at__lt=cutoff) | Q(not_before__lt=cutoff))
