"""Reference checks: the owner names referees, "Request" emails each a questionnaire link, the
referee answers (or declines) without an account. The reminders and the expiry are beat
sweeps (reminders.references).

Links: ≥128 random bits (accounts.models.new_token, 256 bits), only the SHA-256 stored, one
ReferenceLink per email. A reference is answered once: the answer is a conditional UPDATE from
`requested` (and not past its expiry), so a reused, raced or expired link changes nothing.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import new_token

from .. import emails
from ..errors import RefereeLinkError, TransitionError
from ..models import (
    LINK_TTL,
    REFERENCE_REQUESTABLE,
    REMINDER_EVERY,
    Reference,
    ReferenceLink,
    ReferenceStatus,
)
from ..selectors import reference_for_token
from .freelancer import start_vetting_if_prospect


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


@transaction.atomic
def reference_add(*, freelancer, actor=None, name, email, relationship, company="", send_now=False):
    """The owner's "add a referee": create the reference and, with `send_now`, request it at
    once; both or neither."""
    reference = reference_create(freelancer=freelancer, name=name, email=email, relationship=relationship,
                                 company=company)
    if send_now:
        reference_request(reference=reference, actor=actor)
    return reference


def _issue_link(reference):
    token, token_hash = new_token()
    link = ReferenceLink.objects.create(reference=reference, token_hash=token_hash)
    return link, token


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
    emails.reference_requested(reference=reference, link=link, token=token)
    start_vetting_if_prospect(freelancer=reference.freelancer, actor=actor)
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
    emails.reference_received(reference=reference)
    return reference


@transaction.atomic
def reference_decline(*, token, reason="", now=None):
    now = now or timezone.now()
    reference = reference_for_token(token, now=now)
    reference = _close(reference, now, status=ReferenceStatus.DECLINED, decline_reason=(reason or "").strip())
    emails.reference_declined(reference=reference)
    return reference


def reference_delete(*, reference):
    if reference.status != ReferenceStatus.DRAFT:
        raise TransitionError("Only a reference that was never requested can be deleted.")
    Reference.objects.filter(pk=reference.pk, status=ReferenceStatus.DRAFT).delete()
