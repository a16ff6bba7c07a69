"""One helper renders every email from three templates:
`templates/emails/<kind>/subject.txt`, `body.txt` and `body.html` (which extends
`emails/base.html`). Links are absolute (SITE_URL)."""

import base64
import email.policy
from email.headerregistry import HeaderRegistry, UnstructuredHeader
from email.mime.base import MIMEBase
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.urls import reverse

from .links import absolute
from .preferences import unsubscribe_url


def email_context(notification):
    workspace = notification.workspace
    return {
        **notification.context,
        "site_url": settings.SITE_URL,
        "workspace_name": workspace.name if workspace else "",
        "recipient_email": notification.recipient_email,
        "recipient_name": (
            notification.recipient_user.get_short_name() if notification.recipient_user else ""
        ),
        "notification": notification,
        "preferences_url": absolute(reverse("notifications:preferences")),
    }


def render_plain(template_name, context):
    """Render a subject or plain-text body without HTML escaping: "O'Brien & Co" must reach
    the reader as written, not as "O&#x27;Brien &amp; Co"."""
    template = get_template(template_name).template
    return template.render(Context(context, autoescape=False))


def message_id_domain():
    """The right-hand side of every Message-ID: EMAIL_MESSAGE_ID_DOMAIN, else SITE_URL's host.
    Django would use the machine's name (often `localhost`), which mail providers score as a
    misconfigured sender; the site's domain is one the sender controls."""
    if settings.EMAIL_MESSAGE_ID_DOMAIN:
        return settings.EMAIL_MESSAGE_ID_DOMAIN
    host = urlsplit(settings.SITE_URL).hostname
    return f"[{host}]" if ":" in host else host  # an IPv6 address is a domain literal there


def render_subject(notification, context=None, *, prefix=True):
    context = context if context is not None else email_context(notification)
    subject = render_plain(f"emails/{notification.kind}/subject.txt", context)
    if prefix and notification.workspace:
        subject = f"[{notification.workspace.name}] {subject}"
    # One line, whatever a name in it holds: a line break in a header fails the send.
    return " ".join(subject.split())


class _OneLineHeader(UnstructuredHeader):
    """A header whose value is one token with nowhere to fold (List-Unsubscribe: a long URL in
    angle brackets). Python's folding would cut it into RFC 2047 encoded-words, which RFC 2369
    and RFC 8058 do not allow, so mail clients would offer no unsubscribe button. RFC 5322
    allows lines up to 998 characters: it goes out whole, on one line."""

    def fold(self, *, policy):
        return f"{self.name}: {self}{policy.linesep}"


_HEADERS = HeaderRegistry()
_HEADERS.map_to_type("list-unsubscribe", _OneLineHeader)


class OutboxEmail(EmailMultiAlternatives):
    """Every email the outbox sends: serialized with the policy the backend asks for (SMTP's
    CRLF, …), except that List-Unsubscribe is never folded into encoded-words."""

    def message(self, *, policy=email.policy.default):
        return super().message(policy=policy.clone(header_factory=_HEADERS))


def build_message(notification):
    context = email_context(notification)
    # Non-critical kinds carry a one-click unsubscribe (RFC 8058): the footer link and the
    # List-Unsubscribe headers below. Money, security and the work itself never do.
    context.setdefault("unsubscribe_url", unsubscribe_url(notification))
    base = f"emails/{notification.kind}"
    subject = render_subject(notification, context)
    text = render_plain(f"{base}/body.txt", context)
    html = render_to_string(f"{base}/body.html", context)
    headers = {"X-Outsourcing-Notification": notification.dedupe_key[:200],
               "Message-ID": make_msgid(domain=message_id_domain()),
               # RFC 3834: sent by the machine, so auto-responders (out of office) keep quiet.
               "Auto-Submitted": "auto-generated"}
    unsubscribe = context.get("unsubscribe_url")
    if unsubscribe:
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # A reply address (the conversations' reply by email) answers straight into the thread.
    reply_to = [context["reply_to"]] if context.get("reply_to") else None
    message = OutboxEmail(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient_email], headers=headers, reply_to=reply_to,
    )
    message.attach_alternative(html, "text/html")
    for item in notification.attachments:
        maintype, _, subtype = item.get("mimetype", "application/octet-stream").partition("/")
        if maintype == "text":
            message.attach(item["filename"], item["content"], item["mimetype"])
        elif item.get("encoding") == "base64":
            # Binary files (a signed agreement's PDF) wait in the JSON column as base64.
            message.attach(item["filename"], base64.b64decode(item["content"]), item["mimetype"])
        else:
            part = MIMEBase(maintype, subtype)
            part.set_payload(item["content"])
            message.attach(part)
    return message


# --- The in-app notice: the same row, read in the inbox -----------------------------------
SUMMARY_LENGTH = 300
_GREETINGS = ("hello", "hi ", "hi,", "dear ")


def summary_of(text):
    """A short text for the inbox from a plain-text body: its first paragraph that is neither
    the greeting nor a bare link, cut at a word near SUMMARY_LENGTH characters."""
    kept = ""
    for paragraph in text.split("\n\n"):
        lines = [line.strip() for line in paragraph.strip().splitlines()]
        lines = [line for line in lines if line and not line.startswith(("http://", "https://", "--"))]
        flat = " ".join(lines)
        if not flat or (flat.lower().startswith(_GREETINGS) and len(flat) < 80 and flat.endswith(",")):
            continue
        kept = f"{kept} {flat}".strip()
        if not kept.endswith(":"):  # "…says something is in the way:" goes on with what it is
            break
    if len(kept) <= SUMMARY_LENGTH:
        return kept
    return kept[: SUMMARY_LENGTH - 1].rsplit(" ", 1)[0] + "…"


def notice_text(notification):
    """(title, body) of a notice: what the email said (its subject without the workspace
    prefix, a short text of its body). Kept on the row when the email is rendered; a row not
    rendered yet (held for decent hours, turned off) is rendered here, without sending."""
    title, summary = notification.subject, notification.summary
    if title and summary:
        prefix = f"[{notification.workspace.name}] " if notification.workspace_id else ""
        return title.removeprefix(prefix), summary
    try:
        context = email_context(notification)
        context.setdefault("unsubscribe_url", "")
        title = render_subject(notification, context, prefix=False)
        summary = summary_of(render_plain(f"emails/{notification.kind}/body.txt", context))
    except Exception:  # a template that cannot render: the kind in words is still a notice
        return notification.label, ""
    return title, summary
