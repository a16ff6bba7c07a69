"""The daily digest's plumbing: when each workspace's next digest is due, claiming it, and the
emails people chose to receive "digest only" (rows `held` by `notification_send`).

What the digest says about engagements is composed higher up (engagements.digest), which
calls these helpers; this module knows nothing about engagements.
"""

from datetime import time

from django.db.models import Case, Value, When

from accounts.models import Workspace

from .emails import email_context, render_subject
from .models import Notification, NotificationStatus
from .quiet import next_local

DIGEST_AT = time(8, 0)


def next_digest_at(workspace, now):
    """The next 08:00 in the workspace's time zone after `now` (DST-safe)."""
    return next_local(now, DIGEST_AT, workspace.timezone)


def digests_arm(*, now, batch=500):
    """Give every workspace without a digest time its next 08:00 (new workspaces). Two queries
    at most, whatever the number of workspaces."""
    missing = list(Workspace.objects.filter(next_digest_at__isnull=True).only("pk", "timezone")[:batch])
    if not missing:
        return 0
    values = {w.pk: next_digest_at(w, now) for w in missing}
    Workspace.objects.filter(pk__in=list(values), next_digest_at__isnull=True).update(
        next_digest_at=Case(*[When(pk=pk, then=Value(at)) for pk, at in values.items()])
    )
    return len(values)


def digests_claim(*, now, batch=200):
    """Workspaces whose digest is due, claimed by moving `next_digest_at` to the next 08:00 in a
    conditional UPDATE (a second sweep finds nothing to claim). Returns the workspaces this
    call claimed."""
    due = list(Workspace.objects.filter(next_digest_at__lte=now).order_by("next_digest_at")[:batch])
    if not due:
        return []
    seen = {w.pk: w.next_digest_at for w in due}
    nxt = {w.pk: next_digest_at(w, now) for w in due}
    Workspace.objects.filter(pk__in=list(seen)).filter(
        next_digest_at=Case(*[When(pk=pk, then=Value(at)) for pk, at in seen.items()])
    ).update(next_digest_at=Case(*[When(pk=pk, then=Value(at)) for pk, at in nxt.items()]))
    claimed = dict(Workspace.objects.filter(pk__in=list(seen)).values_list("pk", "next_digest_at"))
    return [w for w in due if claimed.get(w.pk) == nxt[w.pk]]


def held_items(workspace_ids):
    """{(workspace_id, email): [{"id", "subject", "url", "created_at"}]}: the emails each person
    chose to get in the digest, oldest first."""
    rows = (
        Notification.objects.filter(workspace_id__in=workspace_ids, status=NotificationStatus.HELD)
        .select_related("workspace", "recipient_user").order_by("created_at", "pk")
    )
    items = {}
    for row in rows:
        context = email_context(row)
        try:
            subject = render_subject(row, context, prefix=False)
        except Exception:  # a kind whose template went away: still list it
            subject = row.kind.replace("_", " ").capitalize()
        items.setdefault((row.workspace_id, row.recipient_email), []).append({
            "id": row.pk, "subject": subject, "url": row.context.get("url", ""),
            "created_at": row.created_at.isoformat(),
        })
    return items


def held_mark_digested(ids, *, now):
    """held → digested, for the rows a digest just listed (inside the digest's transaction)."""
    if ids:
        Notification.objects.filter(pk__in=ids, status=NotificationStatus.HELD).update(
            status=NotificationStatus.DIGESTED, sent_at=now)
