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


# --- The inbox: the in-app side of the same outbox rows -----------------------------------
# Where a notice leads, by the first link its email carried. One-time links (invitations,
# password resets) are never among them: they are removed from the row once it is sent.
ACTION_LINKS = ("url", "milestone_url", "engagement_url", "scorecard_url", "checkins_url", "bench_url",
                "back_url")


def inbox(*, user, workspace):
    """The notices of one person in one workspace, newest first: every email sent to their
    address (or to them as a user), and those of no workspace (a password reset). Nobody
    else's row is ever in it, so reaching another id through it is a 404."""
    if user is None or not user.is_authenticated:
        return Notification.objects.none()
    mine = Q(recipient_email=user.email.strip().lower()) | Q(recipient_user=user)
    where = Q(workspace=workspace) | Q(workspace__isnull=True) if workspace is not None else Q(workspace__isnull=True)
    return (Notification.objects.filter(mine).filter(where).select_related("workspace", "recipient_user")
            .order_by("-created_at", "-id"))


def inbox_unread_count(*, user, workspace, up_to=None):
    """How many of the inbox's notices are unread; with `up_to`, counting stops there (the bell
    shows "99+"), so a reader with 45,000 unread costs what one with 100 does."""
    unread = inbox(user=user, workspace=workspace).filter(read_at__isnull=True)
    if up_to is None:
        return unread.count()
    return unread.order_by().values("pk")[:up_to].count()


def notice_url(notification):
    """The page to act on, as a path on this site when the email's link is one."""
    for key in ACTION_LINKS:
        link = notification.context.get(key)
        if isinstance(link, str) and link.startswith(("http://", "https://", "/")):
            site = settings.SITE_URL.rstrip("/")
            return link[len(site):] or "/" if link.startswith(site + "/") else link
    return ""
