"""Interviews: scheduling (entered in the interviewer's time zone, stored in UTC), the
freelancer's email with an .ics invitation, rescheduling and cancelling (the same calendar
event, a higher SEQUENCE), and the structured scorecard."""

import zoneinfo
from datetime import UTC
from urllib.parse import urlparse

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from notifications.services import notify

from . import ics
from .errors import TransitionError
from .models import Interview, InterviewKind, InterviewOutcome, InterviewScore, RedFlag
from .services import criteria_for, start_vetting_if_prospect

SUGGESTED_QUESTIONS = [
    ("scope", "Walk me through exactly what you would deliver for this project. What is not included?"),
    ("timeline", "The deadline is fixed. Which part would take longest, and what would make you late? "
                 "When would you tell us?"),
    ("who_does_work", "Who will do the work: you alone, or anyone else? Would any part be subcontracted?"),
    ("availability", "How many hours a week can you give this, and in which hours of your day? "
                     "Any holidays or other projects in that window?"),
    ("price_moved", "Is your price for this exact scope final? What would change it?"),
    ("", "How will you report progress, and how often? What do you need from us to start?"),
]


def local_to_utc(naive, tz_name):
    """A wall-clock time in `tz_name` → aware UTC. A time that does not exist there (skipped
    by a daylight-saving change) is an error rather than a silent shift; an ambiguous one (the
    repeated hour) is taken as the first occurrence."""
    tz = zoneinfo.ZoneInfo(tz_name)
    aware = naive.replace(tzinfo=tz, fold=0)
    back = aware.astimezone(UTC).astimezone(tz)
    if back.replace(tzinfo=None) != naive:
        raise ValidationError(
            {"scheduled_at": f"{naive:%H:%M} on {naive:%d %b %Y} does not exist in {tz_name}: the clocks "
                             "change that night. Pick another time."}
        )
    return aware.astimezone(UTC)


def _check_future(scheduled_at, now):
    if scheduled_at <= now:
        raise ValidationError({"scheduled_at": "This time is in the past. Pick a time in the future."})


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
    return ics.calendar(
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


# How an email names each kind of interview in a sentence ("would like an intro call with you").
KIND_PHRASES = {
    InterviewKind.INTRO: "an intro call",
    InterviewKind.TECHNICAL: "a technical interview",
    InterviewKind.PROJECT_FIT: "a project-fit call",
}


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


def _validate_fields(kind, duration_minutes, meeting_url):
    probe = Interview(kind=kind, duration_minutes=duration_minutes, meeting_url=meeting_url or "",
                      scheduled_at=timezone.now())
    probe.full_clean(exclude=["freelancer", "interviewer", "scored_by"])


@transaction.atomic
def interview_schedule(*, freelancer, actor=None, scheduled_at, duration_minutes=15, kind=InterviewKind.INTRO,
                       meeting_url="", organizer_timezone=None, now=None):
    """`scheduled_at` is aware (any zone); it is stored in UTC."""
    now = now or timezone.now()
    if timezone.is_naive(scheduled_at):
        raise ValueError("scheduled_at must be timezone-aware; convert with local_to_utc()")
    _check_future(scheduled_at, now)
    _validate_fields(kind, duration_minutes, meeting_url)
    organizer_timezone = organizer_timezone or (actor.timezone if actor else freelancer.workspace.timezone)
    interview = Interview.objects.create(
        freelancer=freelancer, kind=kind, scheduled_at=scheduled_at.astimezone(UTC),
        duration_minutes=duration_minutes, meeting_url=meeting_url or "", organizer_timezone=organizer_timezone,
        interviewer=actor,
    )
    interview.freelancer = freelancer
    _send(interview, kind="interview_invitation")
    start_vetting_if_prospect(freelancer=freelancer, actor=actor)
    return interview


@transaction.atomic
def interview_reschedule(*, interview, actor=None, scheduled_at, duration_minutes=None, kind=None,
                         meeting_url=None, now=None):
    now = now or timezone.now()
    if interview.is_cancelled:
        raise TransitionError("This interview was cancelled; schedule a new one.")
    _check_future(scheduled_at, now)
    duration_minutes = interview.duration_minutes if duration_minutes is None else duration_minutes
    kind = kind or interview.kind
    meeting_url = interview.meeting_url if meeting_url is None else meeting_url
    _validate_fields(kind, duration_minutes, meeting_url)
    changed = (scheduled_at != interview.scheduled_at or duration_minutes != interview.duration_minutes
               or kind != interview.kind or meeting_url != interview.meeting_url)
    if not changed:
        return interview
    interview.scheduled_at = scheduled_at.astimezone(UTC)
    interview.duration_minutes, interview.kind, interview.meeting_url = duration_minutes, kind, meeting_url
    interview.sequence += 1
    interview.save(update_fields=["scheduled_at", "duration_minutes", "kind", "meeting_url", "sequence"])
    _send(interview, kind="interview_invitation")
    return interview


@transaction.atomic
def interview_cancel(*, interview, actor=None, now=None):
    now = now or timezone.now()
    cancelled = Interview.objects.filter(pk=interview.pk, cancelled_at__isnull=True).update(
        cancelled_at=now, sequence=interview.sequence + 1
    )
    if not cancelled:
        raise TransitionError("This interview was already cancelled.")
    interview.refresh_from_db()
    if interview.scheduled_at > now:  # no point telling a calendar about a past event
        _send(interview, kind="interview_cancelled", cancelled=True)
    return interview


def _valid_score(value):
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5


@transaction.atomic
def interview_score(*, interview, actor=None, scores, red_flags=(), notes="", outcome=InterviewOutcome.PENDING):
    """Record the scorecard: `scores` maps criterion name → 1..5 (criteria from the workspace's
    list, or those already on this scorecard), red flags from RedFlag, notes and outcome.
    Scoring again replaces the previous scorecard."""
    if interview.is_cancelled:
        raise TransitionError("This interview was cancelled; there is nothing to score.")
    criteria = [c.name for c in criteria_for(interview.freelancer.workspace)]
    existing = list(interview.scores.values_list("criterion", flat=True))
    known = {name.lower(): name for name in existing + criteria}
    errors = {}
    unknown = [name for name in scores if str(name).lower() not in known]
    if unknown:
        errors["scores"] = f"Not a criterion on this scorecard: {', '.join(map(str, unknown))}."
    bad = [name for name, value in scores.items() if value is not None and not _valid_score(value)]
    if bad:
        errors.setdefault("scores", "")
        errors["scores"] = (errors["scores"] + f" Scores must be whole numbers from 1 to 5 ({', '.join(bad)}).").strip()
    if not any(value is not None for value in scores.values()) and "scores" not in errors:
        errors["scores"] = "Score at least one criterion."
    flags = list(dict.fromkeys(red_flags or []))
    unknown_flags = [f for f in flags if f not in RedFlag.values]
    if unknown_flags:
        errors["red_flags"] = f"Unknown red flags: {', '.join(map(str, unknown_flags))}."
    if outcome not in InterviewOutcome.values:
        errors["outcome"] = f"Choose one of: {', '.join(InterviewOutcome.values)}."
    if errors:
        raise ValidationError(errors)
    order = {name.lower(): i for i, name in enumerate(existing + [c for c in criteria if c not in existing])}
    interview.scores.all().delete()
    InterviewScore.objects.bulk_create([
        InterviewScore(interview=interview, criterion=known[str(name).lower()], score=value,
                       position=order[str(name).lower()])
        for name, value in scores.items() if value is not None
    ])
    interview.red_flags = flags
    interview.notes = (notes or "").strip()
    interview.outcome = outcome
    interview.scored_at = timezone.now()
    interview.scored_by = actor
    interview.save(update_fields=["red_flags", "notes", "outcome", "scored_at", "scored_by"])
    return interview
