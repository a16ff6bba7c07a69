"""Reference checks: the owner names referees, "Request" emails each a questionnaire link, the
referee answers (or declines) without an account, a beat sweep reminds them at most twice.

Links: ≥128 random bits (accounts.models.new_token, 256 bits), only the SHA-256 stored, one
ReferenceLink per email. A reference is answered once: the answer is a conditional UPDATE from
`requested` (and not past its expiry), so a reused, raced or expired link changes nothing.
"""

from dataclasses import dataclass
from datetime import UTC, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import hash_token, new_token
from notifications.links import absolute
from notifications.services import notify

from .errors import TransitionError
from .models import REFERENCE_REQUESTABLE, Reference, ReferenceLink, ReferenceStatus
from .services import start_vetting_if_prospect

LINK_TTL = timedelta(days=14)
REMINDER_EVERY = timedelta(days=2)
MAX_REMINDERS = 2


class RefereeLinkError(Exception):
    """Why a questionnaire link cannot be used; `code` picks the page the referee sees."""

    titles = {
        "invalid": "This link is not valid",
        "used": "This questionnaire was already answered",
        "declined": "You declined this request",
        "expired": "This link has expired",
    }
    messages = {
        "invalid": "Check that you copied the whole link from the email. If you received a newer email "
                   "about this reference, use the link in that one.",
        "used": "Thank you: your answers were recorded and the link cannot be used again.",
        "declined": "You already told us you would rather not give a reference. Nothing more is needed.",
        "expired": "Questionnaire links work for 14 days. If you would still like to answer, ask the person "
                   "who contacted you for a new link.",
    }

    def __init__(self, code):
        self.code = code
        self.title = self.titles[code]
        super().__init__(self.messages[code])


@transaction.atomic
def reference_create(*, freelancer, name, email, relationship, company=""):
    reference = Reference(freelancer=freelancer, name=(name or "").strip(), email=(email or "").strip().lower(),
                          relationship=(relationship or "").strip(), company=(company or "").strip())
    reference.full_clean(exclude=["freelancer"])
    if reference.email == freelancer.email:
        raise ValidationError({"email": "A referee must be someone other than the freelancer."})
    if freelancer.references.filter(email__iexact=reference.email).exists():
        raise ValidationError({"email": "This referee is already listed for this freelancer."})
    reference.save()
    return reference


def _questionnaire_url(token):
    return absolute(reverse("referee:open", kwargs={"token": token}))


def _issue_link(reference):
    token, token_hash = new_token()
    link = ReferenceLink.objects.create(reference=reference, token_hash=token_hash)
    return link, token


def _utc_moment(moment):
    if moment is None:
        return ""
    moment = moment.astimezone(UTC)
    return f"{moment.day} {moment:%B %Y} at {moment:%H:%M} UTC"


def _email_context(reference, url):
    freelancer = reference.freelancer
    return {
        "referee_name": reference.name,
        "freelancer_name": freelancer.name,
        "relationship": reference.relationship,
        "company": reference.company,
        "questionnaire_url": url,
        "expires_at": reference.expires_at.isoformat() if reference.expires_at else "",
        # The referee's zone is unknown: a date and time in UTC cannot be misread.
        "expires_on": _utc_moment(reference.expires_at),
        "requester_name": reference.requested_by.get_full_name() if reference.requested_by else "",
        # Replies go to a no-reply sender: the email says whom to write to instead.
        "requester_email": reference.requested_by.email if reference.requested_by else "",
        # The link is a one-time secret: scrubbed from the outbox once the email is sent.
        "_secret": ["questionnaire_url"],
    }


@transaction.atomic
def reference_request(*, reference, actor=None, now=None):
    """draft | requested | expired → requested, with a fresh link emailed to the referee.
    Sending again replaces the previous links (they stop working) and restarts the 14 days and
    the reminder ladder."""
    now = now or timezone.now()
    moved = Reference.objects.filter(pk=reference.pk, status__in=REFERENCE_REQUESTABLE).update(
        status=ReferenceStatus.REQUESTED, requested_at=now, requested_by=actor, expires_at=now + LINK_TTL,
        next_reminder_at=now + REMINDER_EVERY, reminders_sent=0,
    )
    if not moved:
        reference.refresh_from_db()
        raise TransitionError(
            f"The reference from {reference.name} was already {reference.get_status_display().lower()}; "
            "it cannot be requested again."
        )
    reference.refresh_from_db()
    reference.links.all().delete()
    link, token = _issue_link(reference)
    notify(
        kind="reference_request", recipient_email=reference.email, workspace=reference.freelancer.workspace,
        dedupe_key=f"reference-request:{reference.pk}:{link.pk}",
        context=_email_context(reference, _questionnaire_url(token)),
    )
    start_vetting_if_prospect(freelancer=reference.freelancer, actor=actor)
    return reference


def reference_for_token(token, *, now=None):
    """The reference a raw questionnaire token names, if it can still be answered; otherwise
    RefereeLinkError saying why (invalid, used, declined, expired)."""
    now = now or timezone.now()
    if not token or len(token) > 200:
        raise RefereeLinkError("invalid")
    link = (ReferenceLink.objects.select_related("reference__freelancer__workspace")
            .filter(token_hash=hash_token(token)).first())
    if link is None:
        raise RefereeLinkError("invalid")
    reference = link.reference
    if reference.status == ReferenceStatus.RECEIVED:
        raise RefereeLinkError("used")
    if reference.status == ReferenceStatus.DECLINED:
        raise RefereeLinkError("declined")
    if reference.status == ReferenceStatus.EXPIRED or (reference.expires_at and reference.expires_at <= now):
        raise RefereeLinkError("expired")
    if reference.status != ReferenceStatus.REQUESTED:  # a draft never had a link; be safe
        raise RefereeLinkError("invalid")
    return reference


def _close(reference, now, **answer):
    """requested → received/declined, once: the conditional UPDATE is the single-use guard."""
    closed = Reference.objects.filter(
        pk=reference.pk, status=ReferenceStatus.REQUESTED, expires_at__gt=now
    ).update(answered_at=now, next_reminder_at=None, **answer)
    if not closed:
        reference.refresh_from_db()
        if reference.status == ReferenceStatus.RECEIVED:
            raise RefereeLinkError("used")
        if reference.status == ReferenceStatus.DECLINED:
            raise RefereeLinkError("declined")
        raise RefereeLinkError("expired")
    reference.refresh_from_db()
    return reference


def _notify_owner(reference, kind):
    recipient = reference.requested_by
    if recipient is None or not recipient.is_active:
        return
    freelancer = reference.freelancer
    notify(
        kind=kind, recipient_email=recipient.email, recipient_user=recipient, workspace=freelancer.workspace,
        dedupe_key=f"{kind.replace('_', '-')}:{reference.pk}",
        context={
            "referee_name": reference.name, "freelancer_name": freelancer.name,
            "average": f"{reference.average:.1f}" if reference.average else "",
            "would_rehire": reference.would_rehire, "decline_reason": reference.decline_reason,
            "scorecard_url": absolute(reverse("freelancers:scorecard", kwargs={"pk": freelancer.pk})),
        },
    )


@dataclass
class Answers:
    quality: int
    reliability: int
    communication: int
    deadlines: int
    would_rehire: bool
    what_to_know: str = ""

    def validate(self):
        errors = {}
        for field in ("quality", "reliability", "communication", "deadlines"):
            value = getattr(self, field)
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
                errors[field] = "Choose a score from 1 to 5."
        if not isinstance(self.would_rehire, bool):
            errors["would_rehire"] = "Say whether you would hire them again."
        if errors:
            raise ValidationError(errors)


@transaction.atomic
def reference_answer(*, token, answers: Answers, now=None):
    now = now or timezone.now()
    reference = reference_for_token(token, now=now)
    answers.validate()
    reference = _close(
        reference, now, status=ReferenceStatus.RECEIVED, quality=answers.quality,
        reliability=answers.reliability, communication=answers.communication, deadlines=answers.deadlines,
        would_rehire=answers.would_rehire, what_to_know=(answers.what_to_know or "").strip(),
    )
    _notify_owner(reference, "reference_received")
    return reference


@transaction.atomic
def reference_decline(*, token, reason="", now=None):
    now = now or timezone.now()
    reference = reference_for_token(token, now=now)
    reference = _close(reference, now, status=ReferenceStatus.DECLINED, decline_reason=(reason or "").strip())
    _notify_owner(reference, "reference_declined")
    return reference


def references_remind(*, now=None, batch=200):
    """Beat sweep. One indexed query finds requested references whose reminder is due; each is
    claimed by a conditional UPDATE that moves its step forward (so a second sweep, or a
    concurrent one, finds nothing to claim), and the email is an outbox row whose dedupe key
    names the step. Returns the ids reminded."""
    now = now or timezone.now()
    due = list(
        Reference.objects.filter(status=ReferenceStatus.REQUESTED, next_reminder_at__lte=now, expires_at__gt=now)
        .values_list("pk", "reminders_sent")[:batch]
    )
    reminded = []
    for pk, step in due:
        with transaction.atomic():
            reminded_step = step + 1
            claimed = Reference.objects.filter(
                pk=pk, status=ReferenceStatus.REQUESTED, reminders_sent=step, next_reminder_at__lte=now
            ).update(
                reminders_sent=reminded_step,
                next_reminder_at=now + REMINDER_EVERY if reminded_step < MAX_REMINDERS else None,
            )
            if not claimed:
                continue
            reference = Reference.objects.select_related("freelancer__workspace", "requested_by").get(pk=pk)
            # Each reminder carries its own link (only hashes are stored, so the first email's
            # link cannot be repeated); earlier links keep working until the reference closes.
            link, token = _issue_link(reference)
            notify(
                kind="reference_reminder", recipient_email=reference.email,
                workspace=reference.freelancer.workspace,
                dedupe_key=f"reference-reminder:{reference.pk}:{reminded_step}",
                context={**_email_context(reference, _questionnaire_url(token)), "reminder": reminded_step,
                         "last_reminder": reminded_step >= MAX_REMINDERS},
            )
            reminded.append(pk)
    return reminded


def references_expire(*, now=None):
    """requested references past their 14 days become expired (their links stop working)."""
    now = now or timezone.now()
    ids = list(Reference.objects.filter(status=ReferenceStatus.REQUESTED, expires_at__lte=now)
               .values_list("pk", flat=True)[:1000])
    if ids:
        Reference.objects.filter(pk__in=ids, status=ReferenceStatus.REQUESTED, expires_at__lte=now).update(
            status=ReferenceStatus.EXPIRED, next_reminder_at=None
        )
    return ids
