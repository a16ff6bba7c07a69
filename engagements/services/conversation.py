"""The conversation's actions: write a message (with files), edit or retract it within ten
minutes, mark a thread read. The web pages, the portal, the API and inbound email all call these.

Writing a message arms each other reader's missed-message ladder (`ThreadRead.notify_at`, ten
minutes after the first message they have not read: several messages in that window make one
email, engagements/reminders/messages.py) and, from the freelancer, counts as a sign of life for
the silence detector. Files are checked first and written before the message's transaction; if
the message does not make it, they are removed again, so nothing is half-stored.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from .. import webhooks
from ..emails import owner_recipients
from ..models import MISSED_AFTER, Attachment, Engagement, Message, MessageVia, ThreadRead
from ..selectors.conversation import (
    FREELANCER,
    OWNER,
    own_unused_attachments,
    thread_open,
    thread_side,
    workspace_member,
)
from .attachment import attachments_check, attachments_discard, attachments_store
from .ladders import engagement_heard_from
from .transitions import ConflictError, NotAllowed

MAX_BODY = 20_000
MAX_FILES = 10


def _side_of(engagement, author, as_freelancer):
    """The side `author` writes from, or NotAllowed when they are not in the thread."""
    if as_freelancer:
        if thread_side(engagement, author) != FREELANCER:
            raise NotAllowed("Not in this conversation.")
        return FREELANCER
    if not workspace_member(engagement, author):
        raise NotAllowed("Not in this conversation.")
    return OWNER


def _check_writable(engagement):
    if not thread_open(engagement):
        if engagement.is_ended:
            raise ConflictError("This engagement has ended: its conversation is closed.")
        raise ConflictError("The conversation opens when the engagement is offered to the freelancer.")


def _clean_body(body, *, has_files):
    body = (body or "").strip()
    if not body and not has_files:
        raise ValidationError({"body": "Write a message (or attach a file) before sending."}, code="empty")
    if len(body) > MAX_BODY:
        raise ValidationError({"body": f"A message can be at most {MAX_BODY:,} characters; this one is "
                                       f"{len(body):,}."}, code="too_long")
    return body


def _named_attachments(engagement, author, ids):
    ids = sorted(set(ids or ()))
    if not ids:
        return []
    found = list(own_unused_attachments(author, engagement.workspace_id).filter(pk__in=ids))
    if len(found) != len(ids):
        missing = sorted(set(ids) - {a.pk for a in found})
        raise ValidationError({"attachments": f"No unused upload of yours with id {', '.join(map(str, missing))}."})
    return found


def message_recipients(engagement, *, author):
    """Who hears about a new message (apart from its author): the freelancer's login, whoever
    hears about the engagement on the owner's side, and every teammate who opened the thread."""
    people = {u.pk: u for u in owner_recipients(engagement)}
    readers = ThreadRead.objects.filter(engagement=engagement, user__memberships__workspace_id=engagement.workspace_id,
                                        user__is_active=True).select_related("user")
    people.update({r.user_id: r.user for r in readers})
    if engagement.freelancer.user_id and engagement.freelancer.user.is_active:
        people[engagement.freelancer.user_id] = engagement.freelancer.user
    people.pop(author.pk, None)
    return list(people.values())


def _arm_readers(message, author):
    """The author has read their own message; everyone else's missed-message ladder starts
    (unless a message of the last ten minutes already started it: one email for the window)."""
    engagement = message.engagement
    notify_at = message.created_at + MISSED_AFTER
    recipients = message_recipients(engagement, author=author)
    ThreadRead.objects.bulk_create(
        [ThreadRead(engagement=engagement, user=author, last_read_id=message.pk, read_at=message.created_at)]
        + [ThreadRead(engagement=engagement, user=u, notify_at=notify_at) for u in recipients],
        ignore_conflicts=True)
    ThreadRead.objects.filter(engagement=engagement, user=author, last_read_id__lt=message.pk).update(
        last_read_id=message.pk, read_at=message.created_at)
    ThreadRead.objects.filter(engagement=engagement, user__in=recipients, notify_at__isnull=True).update(
        notify_at=notify_at)


def message_post(*, engagement, author, body, files=(), attachment_ids=(), as_freelancer=False,
                 via=MessageVia.WEB, at=None):
    """`author` writes in the engagement's thread, as the freelancer (`as_freelancer`) or as the
    owner's side. Returns the Message. Refused: an empty message (ValidationError), a file over
    the limit or of a type not accepted (ValidationError naming it), someone not in the thread
    (NotAllowed), a thread that is closed (ConflictError)."""
    files = list(files or ())
    engagement = Engagement.objects.select_related("freelancer__user", "workspace").get(pk=engagement.pk)
    side = _side_of(engagement, author, as_freelancer)
    body = _clean_body(body, has_files=bool(files or attachment_ids))
    if len(files) + len(set(attachment_ids or ())) > MAX_FILES:
        raise ValidationError({"files": f"At most {MAX_FILES} files per message."})
    _check_writable(engagement)
    named = _named_attachments(engagement, author, attachment_ids)
    content_types = attachments_check(files)
    stored = attachments_store(workspace=engagement.workspace, uploaded_by=author, files=files,
                               content_types=content_types) if files else []
    try:
        with transaction.atomic():
            message = _message_create(engagement, author, side, body, via, at, named + stored)
    except Exception:
        attachments_discard(stored)
        raise
    return message


def _message_create(engagement, author, side, body, via, at, attachments):
    # Lock the engagement: the thread is checked open and the message written as one step.
    engagement = Engagement.objects.select_for_update(of=("self",)).select_related(
        "freelancer__user", "workspace").get(pk=engagement.pk)
    _check_writable(engagement)
    freelancer = engagement.freelancer if side == FREELANCER else None
    message = Message.objects.create(
        engagement=engagement, author_user=author, author_freelancer=freelancer,
        author_name=freelancer.name if freelancer else (author.get_full_name() or author.email), body=body,
        via=via, created_at=at or timezone.now())
    if attachments:
        claimed = Attachment.objects.filter(pk__in=[a.pk for a in attachments], message__isnull=True,
                                            engagement__isnull=True).update(message=message, engagement=engagement)
        if claimed != len(attachments):
            raise ValidationError({"attachments": "A file was used by another message meanwhile; send it again."})
    _arm_readers(message, author)
    if freelancer is not None:
        engagement_heard_from(engagement=engagement, at=message.created_at)
    webhooks.message_created(message, engagement)
    return message


def _own_recent(message_id, author, now):
    message = Message.objects.select_for_update(of=("self",)).select_related("engagement").filter(
        pk=message_id).first()
    if message is None or message.author_user_id != author.pk:
        raise NotAllowed("No such message of yours.")
    if message.retracted_at is not None:
        raise ConflictError("This message was retracted.")
    if not message.editable_by(author, now):
        raise ConflictError("A message can be changed only in the first 10 minutes after it was sent.")
    return message


@transaction.atomic
def message_edit(*, message_id, author, body):
    """The author changes their message within ten minutes of sending it; it shows "edited"."""
    now = timezone.now()
    message = _own_recent(message_id, author, now)
    body = _clean_body(body, has_files=message.attachments.exists())
    if body != message.body:
        Message.objects.filter(pk=message.pk).update(body=body, edited_at=now)
        message.body, message.edited_at = body, now
    return message


@transaction.atomic
def message_retract(*, message_id, author):
    """The author takes back a message within ten minutes: its text and files are no longer
    shown, and a line says it was retracted. Nothing is deleted."""
    now = timezone.now()
    message = _own_recent(message_id, author, now)
    Message.objects.filter(pk=message.pk).update(body="", retracted_at=now)
    message.body, message.retracted_at = "", now
    return message


@transaction.atomic
def thread_mark_read(*, engagement, user, through_id=None):
    """`user` has seen the thread up to message `through_id` (by default, all of it). A missed
    message email that was waiting is called off when nothing newer is unread."""
    now = timezone.now()
    latest = Message.objects.filter(engagement=engagement).aggregate(m=Max("pk"))["m"] or 0
    through = min(through_id, latest) if through_id else latest
    ThreadRead.objects.bulk_create([ThreadRead(engagement=engagement, user=user)], ignore_conflicts=True)
    ThreadRead.objects.filter(engagement=engagement, user=user, last_read_id__lt=through).update(
        last_read_id=through, read_at=now)
    newer = Message.objects.filter(engagement=engagement, pk__gt=through, retracted_at__isnull=True).exclude(
        author_user=user).exists()
    if not newer:
        ThreadRead.objects.filter(engagement=engagement, user=user).update(notify_at=None)
    return through
