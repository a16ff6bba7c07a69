"""Outbox actions: insert a notification once, send it once; and the invitation emails
(teammates here, freelancers from the portal, on the same mechanism)."""

import logging
import smtplib
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.bulk import insert_many, insert_one
from accounts.models import Invitation

from . import claiming
from .emails import build_message, summary_of
from .links import absolute
from .models import Notification, NotificationStatus, PreferenceMode
from .preferences import mode_for

log = logging.getLogger(__name__)

# How long a claimed (`sending`) row may stay so before the recovery sweep assumes the
# worker died and hands it out again.
SENDING_TIMEOUT = timedelta(seconds=getattr(settings, "NOTIFICATION_SENDING_TIMEOUT_SECONDS", 600))
# A `queued` row older than this was probably never enqueued (broker down at commit time);
# the recovery sweep also waits this long before handing the same row out a second time.
QUEUED_GRACE = timedelta(seconds=getattr(settings, "NOTIFICATION_QUEUED_GRACE_SECONDS", 120))


# The sending task, by the name Celery registers it under (tasks.py). Looked up in the app's
# registry instead of imported: tasks.py is the thin layer above these actions.
SEND_TASK = "notifications.tasks.send_notification"
# Many at once: ONE broker message naming a batch of notifications, which a worker fans out into
# SEND_TASK messages. The sweeps hand their emails over with it, so committing a batch of 500
# reminders costs one round trip to the broker instead of 500 (the benchmark measured 1.7-2.5
# ms each on the 2-core machine: 17-25 s for 10,000 reminders).
SEND_MANY_TASK = "notifications.tasks.send_notifications"


# An unaccepted invitation gets one reminder this long after sending (if it still runs then).
INVITATION_REMIND_AFTER = timedelta(days=3)


class PermanentSendError(Exception):
    """An error retrying will not fix (bad template, address refused)."""


def _enqueue(notification_id):
    try:
        current_app.tasks[SEND_TASK].delay(notification_id)
    except Exception:  # broker down: the row stays queued and the recovery sweep resends it
        log.warning("Could not enqueue notification %s; the outbox sweep will retry", notification_id,
                    exc_info=True)


def _enqueue_many(notification_ids):
    """Hand a batch over in one broker message (a single one as itself)."""
    ids = list(notification_ids)
    if len(ids) == 1:
        _enqueue(ids[0])
    elif ids:
        try:
            current_app.tasks[SEND_MANY_TASK].delay(ids)
        except Exception:  # broker down: the rows stay queued and the recovery sweep resends them
            log.warning("Could not enqueue %s notifications; the outbox sweep will retry", len(ids), exc_info=True)


def notify(*, kind, recipient_email, dedupe_key, context=None, workspace=None,
           recipient_user=None, attachments=None, engagement_id=None, not_before=None):
    """Insert a notification unless one with `dedupe_key` exists; send it after commit.

    Returns (notification, created). Inside a transaction that rolls back, nothing is
    inserted and nothing is sent.
    """
    notification = Notification(
        kind=kind, recipient_email=recipient_email.strip().lower(), dedupe_key=dedupe_key,
        context=context or {}, workspace=workspace, recipient_user=recipient_user,
        attachments=attachments or [], engagement_id=engagement_id, not_before=not_before,
    )
    if not _insert_once(notification):
        existing = Notification.objects.filter(dedupe_key=dedupe_key).first()
        if existing is None:  # an IntegrityError that was not the dedupe key
            raise IntegrityError(f"Notification {dedupe_key!r} was neither inserted nor found.")
        return existing, False
    if not_before is None or not_before <= timezone.now():
        transaction.on_commit(lambda: _enqueue(notification.pk))
    return notification, True


def _insert_once(notification):
    """Insert `notification` unless its dedupe key exists (True: inserted, its pk set). On
    PostgreSQL one `INSERT … ON CONFLICT DO NOTHING RETURNING` (no savepoint around it: two
    statements fewer in every action that emails); elsewhere a create in a savepoint."""
    return insert_one(notification, ignore_conflicts=True)


def notify_many(items, *, now=None):
    """Insert many notifications in one statement, skipping every `dedupe_key` that exists
    already, and enqueue (after commit) those that are due now. The sweeps use it so their
    query count does not grow with the number of rows they remind about.

    `items` are dicts of `notify`'s arguments, with `workspace_id` / `recipient_user_id`
    instead of objects. Returns the dedupe keys inserted by this call.
    """
    if not items:
        return []
    now = now or timezone.now()
    rows = [
        {"kind": item["kind"], "recipient_email": item["recipient_email"].strip().lower(),
         "dedupe_key": item["dedupe_key"], "context": item.get("context") or {},
         "workspace_id": item.get("workspace_id"), "recipient_user_id": item.get("recipient_user_id"),
         "attachments": item.get("attachments") or [], "engagement_id": item.get("engagement_id"),
         "not_before": item.get("not_before"), "created_at": now}
        for item in items
    ]
    # ON CONFLICT DO NOTHING: a key another sweep (or an earlier run) inserted is left alone,
    # so the email it names is sent once whoever gets there first. One statement, no model
    # instance per row (accounts.bulk); on PostgreSQL it returns the rows it inserted.
    inserted = insert_many(Notification, rows, returning=("pk", "dedupe_key", "not_before"), ignore_conflicts=True)
    if inserted is None:
        inserted = Notification.objects.filter(dedupe_key__in=[row["dedupe_key"] for row in rows],
                                               created_at=now).values_list("pk", "dedupe_key", "not_before")
    created, due = [], []
    for pk, key, not_before in inserted:
        created.append(key)
        if not_before is None or not_before <= now:
            due.append(pk)
    if due:
        transaction.on_commit(lambda: _enqueue_many(due))
    return created


def notification_send(*, notification_id):
    """Claim, render, send, mark. Returns "sent", "skipped" (someone else has it or it is not
    due yet), or raises: `PermanentSendError` after marking `failed`, or the transient error
    after putting the row back to `queued` for a retry."""
    # queued → sending, once: the row (with its workspace and recipient) only for the one caller
    # that moved it.
    notification = claiming.claim(notification_id, timezone.now())
    if notification is None:
        return "skipped"
    held = _apply_preference(notification)
    if held:
        return held
    try:
        message = build_message(notification)
    except Exception as exc:  # a template or context problem will not fix itself
        notification_failed(notification_id=notification_id, error=f"render: {exc!r}")
        raise PermanentSendError(str(exc)) from exc
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}"
        if is_permanent(exc):
            notification_failed(notification_id=notification_id, error=f"refused: {error}")
            raise PermanentSendError(error) from exc
        if notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
            notification_failed(notification_id=notification_id, error=error)
            raise PermanentSendError(error) from exc
        # Back to the queue, not before the backoff has passed: the task's own retry (with the
        # same countdown) or, if that is lost, the recovery sweep picks it up then.
        Notification.objects.filter(pk=notification_id, status=NotificationStatus.SENDING).update(
            status=NotificationStatus.QUEUED, last_error=error[:4000], claimed_at=None,
            not_before=timezone.now() + timedelta(seconds=retry_delay(notification.attempts)),
        )
        raise
    except Exception as exc:
        # Not a mail-server problem (a malformed address or header): retrying cannot help,
        # and a row left in `sending` would be handed out again and again by the sweep.
        error = f"{type(exc).__name__}: {exc}"
        notification_failed(notification_id=notification_id, error=error)
        raise PermanentSendError(error) from exc
    claiming.mark_sent(notification_id, at=timezone.now(), subject=message.subject[:255],
                       summary=summary_of(message.body), context=scrubbed(notification.context))
    return "sent"


def _apply_preference(notification):
    """The recipient's choice for this kind, read at sending time: "off" keeps the row as
    `suppressed`, "digest" as `held` for the next daily digest. Returns that status, or None to
    send now."""
    mode = mode_for(workspace_id=notification.workspace_id, email=notification.recipient_email,
                    kind=notification.kind)
    if mode == PreferenceMode.ON:
        return None
    status = NotificationStatus.SUPPRESSED if mode == PreferenceMode.OFF else NotificationStatus.HELD
    Notification.objects.filter(pk=notification.pk, status=NotificationStatus.SENDING).update(
        status=status, claimed_at=None,
        context=scrubbed(notification.context) if status == NotificationStatus.SUPPRESSED else notification.context,
    )
    return str(status)


def is_permanent(exc):
    """A 5xx answer is final (550 mailbox unknown, 554 rejected, 535 bad credentials); a 4xx
    (451 try later, 450 greylisting) or a dropped connection is worth another try."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return False


def scrubbed(context):
    """Drop one-time secrets (invitation and reset links) once they are no longer needed.
    A notification lists them under the `_secret` key of its context."""
    secret = set(context.get("_secret", []))
    if not secret:
        return context
    return {k: ("[removed after sending]" if k in secret else v) for k, v in context.items()
            if k != "_secret"}


def notification_failed(*, notification_id, error):
    """Final failure: keep the error for the owner to see; nothing more is tried."""
    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None:
        return
    Notification.objects.filter(pk=notification_id).exclude(status=NotificationStatus.SENT).update(
        status=NotificationStatus.FAILED, last_error=error[:4000], failed_at=timezone.now(),
        context=scrubbed(notification.context),
    )
    log.error("Notification %s failed: %s", notification_id, error)


def retry_delay(attempts):
    """Exponential backoff: 30 s, 60 s, 120 s … capped at 15 minutes (well under the
    broker's visibility timeout, so no long countdown sits in Redis)."""
    return min(settings.NOTIFICATION_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), 15 * 60)


def notification_retry_delay(*, notification_id):
    """The backoff before the next attempt of one notification, by the attempts it has had."""
    attempts = Notification.objects.filter(pk=notification_id).values_list("attempts", flat=True).first()
    return retry_delay(attempts or 1)


def outbox_recover(*, now=None, batch=500, max_batches=40):
    """Hand out again what was lost: rows `queued` but never enqueued (broker was down, or
    held for quiet hours and now due) and rows stuck in `sending` (worker died mid-send).
    Sending stays exactly-once through the claim in `notification_send`. Drains batch after
    batch like every sweep (a morning's held reminders go out in one run), each batch handed
    to the broker in one message. Returns the ids handed out."""
    now = now or timezone.now()
    handed = []
    for _ in range(max_batches):
        stuck, due = _recover_batch(now, batch)
        handed += due
        if stuck < batch and len(due) < batch:
            break
    return handed


def _recover_batch(now, batch):
    stuck_ids = list(Notification.objects.filter(
        status=NotificationStatus.SENDING, claimed_at__lt=now - SENDING_TIMEOUT
    ).values_list("pk", flat=True)[:batch])
    if stuck_ids:
        still_stuck = Notification.objects.filter(
            pk__in=stuck_ids, status=NotificationStatus.SENDING, claimed_at__lt=now - SENDING_TIMEOUT
        )
        # A row whose every attempt died with its worker (a message that crashes the worker)
        # is given up on instead of being handed out for ever.
        for pk in still_stuck.filter(attempts__gte=settings.NOTIFICATION_MAX_ATTEMPTS).values_list(
            "pk", flat=True
        ):
            notification_failed(
                notification_id=pk,
                error=f"The worker stopped while sending, {settings.NOTIFICATION_MAX_ATTEMPTS} times.",
            )
        still_stuck.filter(attempts__lt=settings.NOTIFICATION_MAX_ATTEMPTS).update(
            status=NotificationStatus.QUEUED, claimed_at=None
        )
    due = list(
        Notification.objects.filter(status=NotificationStatus.QUEUED)
        .filter(
            Q(not_before__isnull=True, created_at__lt=now - QUEUED_GRACE)
            | Q(not_before__lte=now)
        )
        # Handed out once per grace period at most: while a worker is down (or busy with a
        # morning's worth of reminders held overnight) the same rows are not piled up in the
        # broker again every minute. (It also moves the drain on: a row handed out by this run
        # is not read again by its next batch.)
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - QUEUED_GRACE))
        .order_by("created_at").values_list("pk", flat=True)[:batch]
    )
    if due:
        Notification.objects.filter(pk__in=due).update(enqueued_at=now)
    _enqueue_many(due)
    return len(stuck_ids), due


# --- The inbox ---------------------------------------------------------------------------------------
def notice_read(*, notification, now=None):
    """Mark one notice read (once: the first reading's time stays)."""
    now = now or timezone.now()
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
    notification.read_at = notification.read_at or now
    return notification


def notices_read_all(*, notices, now=None):
    """Mark every unread notice of an inbox (`selectors.inbox(...)`) read, in one UPDATE.
    Returns how many were unread."""
    return Notification.objects.filter(
        pk__in=notices.filter(read_at__isnull=True).values("pk")
    ).update(read_at=now or timezone.now())


# --- Invitations ------------------------------------------------------------------------------------
def invitation_prepare(*, workspace, email, role, invited_by, target_id=None, accept_url_name):
    """Issue a fresh invitation (revoking any pending one for the same invitee) with its reminder
    ladder armed, without emailing it: (invitation, the email context of its link). An email
    that carries the link itself (an offer's brief) uses this; `invitation_send` below too."""
    issued = account_services.invitation_issue(
        workspace=workspace, email=email, role=role, invited_by=invited_by, target_id=target_id
    )
    url = absolute(reverse(accept_url_name, kwargs={"token": issued.token}))
    invitation = issued.invitation
    # The reminder ladder: one reminder after 3 days, then the inviter hears when it expires.
    remind_at = invitation.created_at + INVITATION_REMIND_AFTER
    first = (0, remind_at) if remind_at < invitation.expires_at else (1, invitation.expires_at)
    Invitation.objects.filter(pk=invitation.pk).update(reminder_step=first[0], next_reminder_at=first[1])
    return invitation, {
        "accept_url": url,
        "_secret": ["accept_url"],
        "inviter_name": invited_by.get_full_name() if invited_by else workspace.name,
        "expires_at": invitation.expires_at.isoformat(),
        "expires_in_days": max(1, round((invitation.expires_at - invitation.created_at).total_seconds() / 86400)),
    }


def invitation_send(*, workspace, email, role, invited_by, target_id=None, accept_url_name, kind,
                    extra_context=None):
    """Issue a fresh invitation (revoking any pending one for the same invitee) and email the
    link. Returns the invitation."""
    invitation, context = invitation_prepare(workspace=workspace, email=email, role=role, invited_by=invited_by,
                                             target_id=target_id, accept_url_name=accept_url_name)
    notify(
        kind=kind, recipient_email=invitation.email, workspace=workspace,
        dedupe_key=f"invitation:{invitation.pk}", context={**context, **(extra_context or {})},
    )
    return invitation
