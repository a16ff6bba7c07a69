"""The emails vetting sends, all through `notifications.services.notify` (the reference
reminders build theirs from `reference_context` on the shared ladder frame).

Called inside the action's transaction: the outbox row commits or rolls back with the action,
and sending happens after commit. Every dedupe key names the event (the link issued, the
interview and its calendar sequence), so a retried action never emails twice.
"""

import zoneinfo
from datetime import UTC
from urllib.parse import urlparse

from django.conf import settings
from django.urls import reverse

from notifications import calendar
from notifications.links import absolute
from notifications.services import notify

from .models import InterviewKind


# --- References ------------------------------------------------------------------------------------
def questionnaire_url(token):
    return absolute(reverse("referee:open", kwargs={"token": token}))


def _utc_moment(moment):
    if moment is None:
        return ""
    moment = moment.astimezone(UTC)
    return f"{moment.day} {moment:%B %Y} at {moment:%H:%M} UTC"


def reference_context(reference, url):
    """What the referee's emails (the request and its reminders) say, with the link `url`."""
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


def reference_requested(*, reference, link, token):
    """The questionnaire for the referee, with the link just issued."""
    notify(
        kind="reference_request", recipient_email=reference.email, workspace=reference.freelancer.workspace,
        dedupe_key=f"reference-request:{reference.pk}:{link.pk}",
        context=reference_context(reference, questionnaire_url(token)),
    )


def _to_requester(reference, kind):
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


def reference_received(*, reference):
    """The requester hears that the referee answered."""
    _to_requester(reference, "reference_received")


def reference_declined(*, reference):
    """The requester hears that the referee declined."""
    _to_requester(reference, "reference_declined")


# --- Interviews ------------------------------------------------------------------------------------
# How an email names each kind of interview in a sentence ("would like an intro call with you").
KIND_PHRASES = {
    InterviewKind.INTRO: "an intro call",
    InterviewKind.TECHNICAL: "a technical interview",
    InterviewKind.PROJECT_FIT: "a project-fit call",
}


def _calendar(interview, *, cancelled=False):
    freelancer = interview.freelancer
    workspace = freelancer.workspace
    organizer = interview.interviewer
    description = [
        f"{interview.get_kind_display()} between {workspace.name} and {freelancer.name}.",
        f"Length: {interview.duration_minutes} minutes.",
    ]
    if interview.meeting_url:
        description.append(f"Join: {interview.meeting_url}")
    return calendar.invitation(
        uid=f"interview-{interview.pk}@{urlparse(settings.SITE_URL).hostname or 'localhost'}",
        start=interview.scheduled_at, end=interview.ends_at,
        summary=f"{interview.get_kind_display()}: {workspace.name} × {freelancer.name}",
        description="\n".join(description),
        location=interview.meeting_url, url=interview.meeting_url,
        organizer=(organizer.get_full_name(), organizer.email) if organizer else None,
        attendee=(freelancer.name, freelancer.email),
        sequence=interview.sequence, cancelled=cancelled,
    )


def _fmt(dt, tz_name):
    local = dt.astimezone(zoneinfo.ZoneInfo(tz_name))
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M} ({tz_name})"


def _send(interview, *, kind, cancelled=False):
    freelancer = interview.freelancer
    interviewer = interview.interviewer
    notify(
        kind=kind, recipient_email=freelancer.email, workspace=freelancer.workspace,
        dedupe_key=f"{kind.replace('_', '-')}:{interview.pk}:{interview.sequence}",
        context={
            "freelancer_name": freelancer.name,
            "kind": interview.get_kind_display(),
            "kind_phrase": KIND_PHRASES.get(interview.kind, "a call"),
            "when_freelancer": _fmt(interview.scheduled_at, freelancer.timezone),
            "when_organizer": _fmt(interview.scheduled_at, interview.organizer_timezone),
            "when_utc": interview.scheduled_at.astimezone(UTC).isoformat(),
            "duration_minutes": interview.duration_minutes,
            "meeting_url": interview.meeting_url,
            "interviewer_name": interviewer.get_full_name() if interviewer else "",
            # Replies go to a no-reply sender: the email says whom to write to instead.
            "interviewer_email": interviewer.email if interviewer else "",
            "rescheduled": interview.sequence > 0 and not cancelled,
        },
        # The method parameter is what makes mail clients offer "add to calendar" (or remove it).
        attachments=[{"filename": "interview.ics", "content": _calendar(interview, cancelled=cancelled),
                      "mimetype": f"text/calendar; method={'CANCEL' if cancelled else 'REQUEST'}"}],
    )


def interview_invitation(*, interview):
    """The freelancer's invitation (or, after a reschedule, its update: the same calendar event
    with a higher SEQUENCE), with the .ics attached."""
    _send(interview, kind="interview_invitation")


def interview_cancelled(*, interview):
    """The calendar cancellation of the same event."""
    _send(interview, kind="interview_cancelled", cancelled=True)
