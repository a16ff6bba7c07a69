from django import template

from ..models import Notification

register = template.Library()


@register.simple_tag
def engagement_notifications(engagement, limit=8):
    """The latest emails about an engagement (its notification history), newest first. Scoped
    by the engagement's own workspace, so a page can only ever show that workspace's emails."""
    return list(
        Notification.objects.filter(workspace_id=engagement.workspace_id, engagement_id=engagement.pk)
        .order_by("-created_at", "-pk")[:limit]
    )


@register.simple_tag
def engagement_notification_count(engagement):
    return Notification.objects.filter(workspace_id=engagement.workspace_id, engagement_id=engagement.pk).count()
