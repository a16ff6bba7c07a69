"""Replies by email: the per-recipient, per-thread Reply-To address, and an inbound email
becoming a message from that person.

The address is `reply+<side><user id>-<engagement id>-<signature>@REPLY_EMAIL_DOMAIN`: the
signature is an HMAC (Django's `salted_hmac` with its own salt, SECRET_KEY and its fallbacks) in
lower-case hex, because mail systems may change the case of an address's local part. An inbound
email (from a provider's webhook through django-anymail, or raw RFC 5322 from
`manage.py inbound_email`) is refused and logged when it is too big or malformed, when no
recipient is a reply address of ours or its signature is wrong, when it comes from another
address than the one the reply address was sent to, or when that person is no longer in the
thread (the engagement ended, their access was revoked). Otherwise its newest part — quoted
history and signature stripped by mail-parser-reply — becomes one message, files included.
Every email is recorded once by its Message-ID (InboundEmail), so a redelivery makes nothing new.
"""

import hashlib
import logging
import re

from anymail.inbound import AnymailInboundMessage
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.html import strip_tags
from mailparser_reply import EmailReplyParser

from ..models import Engagement, InboundEmail, InboundStatus, MessageVia
from .conversation import message_post
from .transitions import ConflictError, NotAllowed

log = logging.getLogger(__name__)

SALT = "engagements.reply-address"
SIDES = {"o": False, "f": True}  # side letter → writes as the freelancer
_ADDRESS = re.compile(r"^reply\+([of])(\d{1,19})-(\d{1,19})-([0-9a-f]{32})$")
# Languages whose "On … wrote:" lines and signatures mail-parser-reply recognises here.
REPLY_LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "pl", "sv", "da", "cs"]


# --- The Reply-To address -------------------------------------------------------------------------
def _signature(value, secret=None):
    return salted_hmac(SALT, value, secret=secret, algorithm="sha256").hexdigest()[:32]


def reply_address(*, user, engagement, as_freelancer):
    """The address a reply from `user` about `engagement` goes to; "" when replies by email are
    off (no REPLY_EMAIL_DOMAIN)."""
    if not settings.REPLY_EMAIL_DOMAIN:
        return ""
    value = f"{'f' if as_freelancer else 'o'}{user.pk}-{engagement.pk}"
    return f"reply+{value}-{_signature(value)}@{settings.REPLY_EMAIL_DOMAIN}"


def read_reply_address(address):
    """(as_freelancer, user id, engagement id) for a genuine reply address of ours; "forged" for
    one of ours whose signature is wrong; None for any other address."""
    local, _, domain = (address or "").strip().strip("<>").rpartition("@")
    if not settings.REPLY_EMAIL_DOMAIN or domain.lower() != settings.REPLY_EMAIL_DOMAIN.lower():
        return None
    match = _ADDRESS.match(local.lower())
    if match is None:
        return "forged" if local.lower().startswith("reply+") else None
    side, user_id, engagement_id, signature = match.groups()
    value = f"{side}{user_id}-{engagement_id}"
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    if not any(constant_time_compare(signature, _signature(value, secret)) for secret in secrets):
        return "forged"
    return SIDES[side], int(user_id), int(engagement_id)


# --- Reading an inbound email ---------------------------------------------------------------------
class Refused(Exception):
    """The email does not become a message; the text says why (it is logged and recorded)."""


def reply_text(message):
    """The newest part of the email: its text (or its HTML as text) without the quoted history
    and the signature."""
    text = message.text or strip_tags(message.html or "")
    text = text.replace("\r\n", "\n")
    parsed = EmailReplyParser(languages=REPLY_LANGUAGES).read(text)
    newest = parsed.replies[0].body if parsed.replies else text
    return (newest or "").strip()


def _recipients(message):
    found = [getattr(message, "envelope_recipient", None)]
    for header in ("Delivered-To", "X-Original-To", "To", "Cc"):
        found += [a.addr_spec for a in message.get_address_header(header)]
    return [a for a in found if a]


def _reply_token(message):
    tokens = [read_reply_address(a) for a in _recipients(message)]
    genuine = next((t for t in tokens if isinstance(t, tuple)), None)
    if genuine is not None:
        return genuine
    raise Refused("forged reply address" if "forged" in tokens else "not addressed to a reply address of ours")


def _files(message):
    files = []
    for part in message.attachments:
        content = part.get_content_bytes() or b""
        files.append(SimpleUploadedFile(part.get_filename() or "attachment", content,
                                        content_type=part.get_content_type()))
    return files


def _author(message):
    as_freelancer, user_id, engagement_id = _reply_token(message)
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    engagement = Engagement.objects.select_related("freelancer", "workspace").filter(pk=engagement_id).first()
    if user is None or engagement is None:
        raise Refused("the reply address names someone or something that no longer exists")
    sender = message.from_email.addr_spec if message.from_email else ""
    if sender.lower() != user.email.lower():
        raise Refused(f"sent from {sender or 'no address'}, not from the address the reply address was given to")
    return engagement, user, as_freelancer


def _record(email_id, **fields):
    """Insert the email's record, once per Message-ID; None when it was seen before."""
    try:
        with transaction.atomic():
            return InboundEmail.objects.create(email_id=email_id, **fields)
    except IntegrityError:
        return None


def _refuse(row, reason):
    InboundEmail.objects.filter(pk=row.pk).update(status=InboundStatus.REFUSED, reason=reason[:300])
    row.status, row.reason = InboundStatus.REFUSED, reason[:300]
    log.warning("Inbound email %s from %s refused: %s", row.email_id, row.sender or "?", reason)
    return row


def inbound_email_receive(*, via, raw=None, message=None):
    """An email sent to a reply address: a message in the thread, or a refusal (recorded and
    logged). `raw` is the RFC 5322 bytes, or `message` anymail's parsed AnymailInboundMessage.
    Returns (InboundEmail, created): a redelivered email returns its first record, unchanged."""
    size = len(raw) if raw is not None else len(message.as_bytes())
    digest = hashlib.sha256(raw if raw is not None else message.as_bytes()).hexdigest()
    fields = {"via": via[:32], "size": size, "status": InboundStatus.ACCEPTED}
    if size > settings.INBOUND_EMAIL_MAX_BYTES:
        return _refused_early(f"sha256:{digest}", fields, f"too big: {size:,} bytes, the limit is "
                                                            f"{settings.INBOUND_EMAIL_MAX_BYTES:,}")
    try:
        message = message if message is not None else AnymailInboundMessage.parse_raw_mime_bytes(raw)
        email_id = (message["Message-ID"] or "").strip()[:255] or f"sha256:{digest}"
        sender = message.from_email.addr_spec if message.from_email else ""
    except Exception as exc:  # whatever the parser trips on, the email is malformed
        return _refused_early(f"sha256:{digest}", fields, f"malformed: {type(exc).__name__}")
    recipient = next(iter(_recipients(message)), "")
    with transaction.atomic():
        row = _record(email_id, sender=sender[:320], recipient=recipient[:320], **fields)
        if row is None:
            return InboundEmail.objects.get(email_id=email_id), False
        try:
            engagement, user, as_freelancer = _author(message)
            posted = message_post(engagement=engagement, author=user, body=reply_text(message), files=_files(message),
                                  as_freelancer=as_freelancer, via=MessageVia.EMAIL)
        except Refused as exc:
            return _refuse(row, str(exc)), True
        except NotAllowed:
            return _refuse(row, "the sender is no longer in this conversation (access revoked)"), True
        except ConflictError as exc:
            return _refuse(row, str(exc)), True
        except ValidationError as exc:
            return _refuse(row, "; ".join(exc.messages)), True
        InboundEmail.objects.filter(pk=row.pk).update(message=posted)
        row.message = posted
    log.info("Inbound email %s from %s became message %s", email_id, sender, posted.pk)
    return row, True


def _refused_early(email_id, fields, reason):
    row = _record(email_id, **fields)
    if row is None:
        return InboundEmail.objects.get(email_id=email_id), False
    return _refuse(row, reason), True
