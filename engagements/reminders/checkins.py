"""Check-ins: the day before one (09:00 in the workspace's zone) the owner gets its agenda; an
hour after its end, if nothing was recorded, a request to record or reschedule it; and when the
check-in cadence passes with none planned, a nudge to schedule one.

Two ladders: `CheckIn.nudge_at` / `nudge_step` (armed for the time it is planned for,
`nudge_for`, by services/ladders.py: checkin_ladder) and `Engagement.checkin_nudge_at`, which
follows `next_checkin_at`.
"""

from datetime import timedelta

from django.db.models import Max
from django.utils import timezone

from notifications.sweeps import BATCH, drain, light_rows, run_ladder

from ..emails import day_of, owner_urls, owners_by_workspace, to_owners
from ..models import ENDED_STATUSES, CheckIn, CheckInStatus, Engagement, EngagementStatus
from ..services.ladders import RECORD_AFTER, checkin_ladder

# What the emails and decisions read of an engagement (light_rows: no model instances).
ENGAGEMENT_FIELDS = ("id", "status", "workspace_id", "created_by_id", "title", "freelancer__name",
                     "workspace__timezone")


# --- One check-in: the agenda the day before, "record it" after ---------------------------------
def _decide_checkin(now):
    def decide(c):
        e = c.engagement
        expected = {"nudge_step": c.nudge_step, "nudge_at": c.nudge_at, "nudge_for": c.nudge_for,
                    "scheduled_at": c.scheduled_at}
        if e.status in ENDED_STATUSES:
            return expected, {"nudge_at": None, "nudge_step": 2}, None
        if c.nudge_for != c.scheduled_at:  # moved by a path that did not re-arm it
            return expected, checkin_ladder(c.scheduled_at, c.duration_minutes, e.workspace.timezone, now), None
        record_at = c.scheduled_at + timedelta(minutes=c.duration_minutes) + RECORD_AFTER
        if now >= record_at:
            return expected, {"nudge_step": 2, "nudge_at": None}, "unrecorded"
        if c.nudge_step == 0 and now < c.scheduled_at:
            return expected, {"nudge_step": 1, "nudge_at": record_at}, "tomorrow"
        return expected, {"nudge_step": 1, "nudge_at": record_at}, None
    return decide


def _compose_checkin(now):
    def compose(todo):
        members = owners_by_workspace(c.engagement.workspace_id for c, _ in todo)
        items, counts = [], {"day_before": 0, "unrecorded": 0}
        checkin_url, checkins_url = owner_urls("checkin"), owner_urls("checkins")
        for c, action in todo:
            e = c.engagement
            # Each owner reads the time in their own zone.
            items += to_owners(
                e, members, kind=f"checkin_{'tomorrow' if action == 'tomorrow' else 'unrecorded'}",
                key=f"checkin-{action}:{c.pk}:{c.scheduled_at.isoformat()}", now=now,
                moments={"when": c.scheduled_at},
                context={"agenda": c.agenda, "meeting_url": c.meeting_url, "minutes": c.duration_minutes,
                         "url": checkin_url(pk=e.pk, checkin_pk=c.pk), "checkins_url": checkins_url(pk=e.pk)})
            counts["day_before" if action == "tomorrow" else "unrecorded"] += 1
        return items, counts
    return compose


def _checkin_batch(now, batch):
    rows = light_rows(
        CheckIn.objects.filter(status=CheckInStatus.SCHEDULED, nudge_at__lte=now).order_by("nudge_at")[:batch],
        "pk", "nudge_step", "nudge_at", "nudge_for", "scheduled_at", "duration_minutes", "agenda", "meeting_url",
        *(f"engagement__{name}" for name in ENGAGEMENT_FIELDS),
    )
    for c in rows:
        c.engagement.pk = c.engagement.id
    return run_ladder(CheckIn, rows, _decide_checkin(now), _compose_checkin(now), now=now,
                      counters=("day_before", "unrecorded"))


# --- The cadence: time to schedule one ------------------------------------------------------------
def _compose_cadence(now):
    def compose(todo):
        members = owners_by_workspace(e.workspace_id for e, _ in todo)
        last_held = dict(
            CheckIn.objects.filter(engagement_id__in=[e.pk for e, _ in todo]).exclude(status=CheckInStatus.SCHEDULED)
            .values("engagement_id").annotate(last=Max("scheduled_at")).values_list("engagement_id", "last")
        )
        items, checkins_url = [], owner_urls("checkins")
        for e, _ in todo:
            last = last_held.get(e.pk)
            items += to_owners(
                e, members, kind="checkin_unscheduled",
                key=f"checkin-unscheduled:{e.pk}:{e.checkin_nudge_at.isoformat()}", now=now,
                context={"every_days": e.checkin_every_days,
                         "last_checkin": day_of(last, e.workspace.timezone) if last else "",
                         "url": checkins_url(pk=e.pk)})
        return items, {"unscheduled": len(todo)}
    return compose


def _cadence_batch(now, batch):
    rows = light_rows(
        Engagement.objects.filter(status=EngagementStatus.ACTIVE, checkin_nudge_at__lte=now)
        .order_by("checkin_nudge_at")[:batch],
        "pk", *ENGAGEMENT_FIELDS, "checkin_nudge_at", "next_checkin_at", "checkin_every_days",
    )
    # With a check-in planned (even one whose time passed unrecorded) there is nothing to
    # schedule: the check-in's own nudges ask for its notes.
    planned = set(CheckIn.objects.filter(engagement_id__in=[e.pk for e in rows], status=CheckInStatus.SCHEDULED)
                  .values_list("engagement_id", flat=True))

    def decide(e):
        return ({"checkin_nudge_at": e.checkin_nudge_at, "next_checkin_at": e.next_checkin_at},
                {"checkin_nudge_at": None}, None if e.pk in planned else "unscheduled")

    return run_ladder(Engagement, rows, decide, _compose_cadence(now), now=now, counters=("unscheduled",))


def checkin_nudges(*, now=None, batch=BATCH):
    """Beat: the day before a check-in the owner gets its agenda; after it, if no notes were
    recorded, a request to record or reschedule it; when the cadence passes with none planned,
    a nudge to schedule one."""
    now = now or timezone.now()
    counts = drain(_checkin_batch, now=now, batch=batch)
    counts.update(drain(_cadence_batch, now=now, batch=batch))
    return counts
