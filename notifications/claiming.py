"""The two writes a worker makes for every email it sends, as single statements written once per
process: the claim (`queued → sending`) that also reads the row with its workspace and
recipient, and the mark of a sent email.

Each email a money action queues costs the worker these two; built with the ORM (a conditional
UPDATE, then a `select_related` read of the row it claimed, then an UPDATE of six fields) they
were three round trips and more CPU than the rendering. Elsewhere than on PostgreSQL (SQLite,
whose UPDATE cannot sit in a WITH) the ORM does the same in those three steps.
"""

from functools import cache

from django.db import connection
from django.db.models import F, Q

from accounts.joined import Joined
from accounts.models import User, Workspace

from .models import Notification, NotificationStatus


def claim(notification_id, now):
    """queued → sending (due now, one attempt more), once: the row with its workspace and
    recipient user read, for the one caller that moved it; None for any other."""
    if connection.vendor != "postgresql":
        claimed = (Notification.objects.filter(pk=notification_id, status=NotificationStatus.QUEUED)
                   .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
                   .update(status=NotificationStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1))
        return Notification.objects.select_related("workspace", "recipient_user").get(pk=notification_id) \
            if claimed else None
    found = _claim_read().one([NotificationStatus.SENDING, now, notification_id, NotificationStatus.QUEUED, now])
    if found is None:
        return None
    notification, workspace, user = found
    notification.workspace, notification.recipient_user = workspace, user
    return notification


@cache
def _claim_read():
    return Joined(("n", Notification), ("w", Workspace), ("u", User), sql="""
        WITH n AS (
            UPDATE notifications_notification SET status = %s, claimed_at = %s, attempts = attempts + 1
            WHERE id = %s AND status = %s AND (not_before IS NULL OR not_before <= %s)
            RETURNING *)
        SELECT {columns}
        FROM n
        LEFT JOIN accounts_workspace w ON w.id = n.workspace_id
        LEFT JOIN accounts_user u ON u.id = n.recipient_user_id""")


def mark_sent(notification_id, *, at, subject, summary, context):
    """The email went: `sent`, with what the owner's lists show of it and its context as kept."""
    if connection.vendor != "postgresql":
        Notification.objects.filter(pk=notification_id).update(
            status=NotificationStatus.SENT, sent_at=at, subject=subject, summary=summary, last_error="",
            context=context)
        return
    field = Notification._meta.get_field("context")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE notifications_notification SET status = %s, sent_at = %s, subject = %s, summary = %s, "
            "last_error = '', context = %s WHERE id = %s",
            [NotificationStatus.SENT, at, subject, summary, field.get_db_prep_save(context, connection),
             notification_id])
