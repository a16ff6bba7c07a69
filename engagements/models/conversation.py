"""The conversation of an engagement: messages between the owner's side and the freelancer,
the files attached to them (and to milestone submissions: one storage for both), each reader's
read mark with the missed-message email's ladder, and the emails that came in as replies.

The thread a reader sees is composed at read time (engagements.selectors.conversation) from
these messages and the engagement's timeline, so events are never copied into messages.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.indexes import newest_document_index

from .engagement import Engagement, in_engagement_workspace

# A message can be edited or retracted by its author for this long after it was written.
EDIT_WINDOW = timedelta(minutes=10)
# A message still unread this long after it came brings one email (several in the window: one).
MISSED_AFTER = timedelta(minutes=10)


def attachment_key(instance, filename):
    # A random key only: the uploaded name is kept in `name`, never in storage.
    return f"attachments/{secrets.token_hex(16)}"


def thumbnail_key(instance, filename):
    return f"attachments/thumbs/{secrets.token_hex(16)}"


class MessageVia(models.TextChoices):
    WEB = "web", "the app"
    API = "api", "the API"
    EMAIL = "email", "email"


# What the search box reads of a message.
MESSAGE_SEARCH_FIELDS = ("body",)


class Message(models.Model):
    """One message in an engagement's thread. Never deleted: a retraction empties the body and
    leaves a line. `author_freelancer` is set when the freelancer wrote it; otherwise the author
    is someone of the workspace (owner or manager)."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="messages")
    # The engagement's workspace, which never changes: the search box filters on it without a join.
    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+", editable=False,
                                  db_index=False)  # (workspace, -id) below
    author_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    author_freelancer = models.ForeignKey("freelancers.Freelancer", null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")
    author_name = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    via = models.CharField(max_length=8, choices=MessageVia.choices, default=MessageVia.WEB)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    retracted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["engagement", "id"], name="message_thread"),
            models.Index(fields=["workspace", "-id"], name="message_ws_newest"),  # the search box
            # The search box (PostgreSQL): a workspace's newest words, one GIN index (btree_gin).
            newest_document_index(MESSAGE_SEARCH_FIELDS, name="message_ws_search"),
        ]

    def __str__(self):
        return f"{self.author_name}: {self.body[:60]}"

    def save(self, *args, **kwargs):
        in_engagement_workspace(self)
        super().save(*args, **kwargs)

    @property
    def from_freelancer(self):
        return self.author_freelancer_id is not None

    def editable_by(self, user, now=None):
        now = now or timezone.now()
        return (user is not None and self.author_user_id == user.pk and self.retracted_at is None
                and now - self.created_at <= EDIT_WINDOW)


class Attachment(models.Model):
    """A stored file: checked by its content, kept under a random key through Django's storage
    API (STORAGES["default"]), served only through views that check access. It hangs from a
    message or a milestone submission (through SubmissionFile) once used; until then only its
    uploader may see it."""

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    engagement = models.ForeignKey(Engagement, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="attachments")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_key, max_length=200)
    thumbnail = models.FileField(upload_to=thumbnail_key, max_length=200, blank=True)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name

    @property
    def is_image(self):
        return bool(self.thumbnail)


class ThreadRead(models.Model):
    """One reader's place in one engagement's thread: the last message they saw, and the
    missed-message email's ladder. `notify_at` is armed when a message reaches them unread
    (message time + 10 minutes, unless already armed: several messages make one email) and
    cleared when they read the thread or the email goes; `emailed_through_id` is the last message
    an email told them about, so the next email names only newer ones."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_id = models.PositiveBigIntegerField(default=0)
    read_at = models.DateTimeField(null=True, blank=True)
    notify_at = models.DateTimeField(null=True, blank=True)
    emailed_through_id = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["engagement", "user"], name="thread_read_unique")]
        indexes = [
            models.Index(fields=["notify_at"], name="thread_read_notify", condition=models.Q(notify_at__isnull=False)),
            models.Index(fields=["user", "engagement"], name="thread_read_user"),
        ]

    def __str__(self):
        return f"{self.user} in {self.engagement_id}: read through {self.last_read_id}"


class InboundStatus(models.TextChoices):
    ACCEPTED = "accepted", "Became a message"
    REFUSED = "refused", "Refused"


class InboundEmail(models.Model):
    """Every email that came in as a reply, with what became of it. Unique by Message-ID (or, for
    a message without one, the hash of its bytes), so a redelivery makes no second message."""

    # The email's Message-ID header (the model's `message` is the thread message it became).
    email_id = models.CharField(max_length=255, unique=True)
    sender = models.CharField(max_length=320, blank=True)
    recipient = models.CharField(max_length=320, blank=True)
    via = models.CharField(max_length=32)
    size = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=16, choices=InboundStatus.choices)
    reason = models.CharField(max_length=300, blank=True)
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self):
        return f"{self.email_id} from {self.sender}: {self.status}"
