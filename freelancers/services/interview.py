"""Interviews: scheduling (entered in the interviewer's time zone, stored in UTC), the
freelancer's email with an .ics invitation (emails.interview_invitation), rescheduling and
cancelling (the same calendar event, a higher SEQUENCE), the structured scorecard, and the
workspace's list of scorecard criteria."""

import zoneinfo
from datetime import UTC

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .. import emails
from ..errors import TransitionError
from ..models import (
    DEFAULT_CRITERIA,
    Interview,
    InterviewKind,
    InterviewOutcome,
    InterviewScore,
    RedFlag,
    ScorecardCriterion,
)
from .freelancer import start_vetting_if_prospect


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
    emails.interview_invitation(interview=interview)
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
    emails.interview_invitation(interview=interview)
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
        emails.interview_cancelled(interview=interview)
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


# --- Interview criteria ------------------------------------------------------------------------
def criteria_for(workspace):
    """The workspace's scorecard criteria, created from the defaults the first time."""
    criteria = list(ScorecardCriterion.objects.filter(workspace=workspace))
    if not criteria:
        with transaction.atomic():
            for position, name in enumerate(DEFAULT_CRITERIA):
                ScorecardCriterion.objects.get_or_create(
                    workspace=workspace, name=name, defaults={"position": position}
                )
        criteria = list(ScorecardCriterion.objects.filter(workspace=workspace))
    return criteria


MAX_CRITERIA = 12


@transaction.atomic
def criteria_set(*, workspace, names):
    """Replace the workspace's list (in this order). Past scorecards keep their own copies."""
    cleaned, seen = [], set()
    for raw in names:
        name = " ".join(str(raw).split())
        if not name:
            continue
        if len(name) > 80:
            raise ValidationError({"criteria": f"“{name[:30]}…” is longer than 80 characters."})
        if name.lower() in seen:
            raise ValidationError({"criteria": f"“{name}” is listed twice."})
        seen.add(name.lower())
        cleaned.append(name)
    if not cleaned:
        raise ValidationError({"criteria": "Keep at least one criterion."})
    if len(cleaned) > MAX_CRITERIA:
        raise ValidationError({"criteria": f"At most {MAX_CRITERIA} criteria."})
    ScorecardCriterion.objects.filter(workspace=workspace).delete()
    ScorecardCriterion.objects.bulk_create(
        [ScorecardCriterion(workspace=workspace, name=name, position=i) for i, name in enumerate(cleaned)]
    )
    return criteria_for(workspace)
