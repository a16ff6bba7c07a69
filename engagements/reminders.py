"""Reminders and nudges about engagements: status updates (a ladder that escalates to the
owner), the silence detector, check-ins, milestone due dates, and briefs or playbook documents
waiting for acknowledgement.

The mechanism is the one in DESIGN.md, the same for every reminder:
- the next moment something is due is a column with a partial index (`update_reminder_at`,
  `quiet_check_at`, `checkin_nudge_at`, `CheckIn.nudge_at`, `Milestone.due_reminder_at`,
  `Brief.ack_nudge_at`, `PlaybookAckRequest.nudge_at`), set whenever its row changes and
  NULL once its ladder is done, so finished rows drop out of the index;
- a sweep (beat, every minute) reads up to BATCH due rows with one indexed query, decides what
  each row's ladder moves to, claims the batch with one conditional UPDATE (only rows still
  exactly as read move), and inserts the claimed rows' emails with one statement under dedupe
  keys naming the reminder and its window (`status-overdue:<engagement>:<due iso>:1`);
- sending is the outbox's separate task. Emails to a person wait for 08:00–20:00 in their time
  zone (`not_before`); each person's choices (on, off, digest only) apply when it is sent.

A sweep that runs twice, or two at once, claims each row once and inserts each email once.
This module holds the ladders' arithmetic and the status-update, silence and check-in sweeps;
reminders_work.py the milestone and acknowledgement ones.
"""

from datetime import timedelta

from django.core.exceptions import FieldError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from notifications.links import absolute
from notifications.services import notify_many
from notifications.sweeps import claim, item

from .emails import (
    batch_owner_recipients,
    day_of,
    owner_url,
    owners_by_workspace,
    portal_url,
    to_freelancer,
    to_owners,
    when,
)
from .models import (
    Activity,
    ActivityKind,
    CheckIn,
    CheckInStatus,
    Engagement,
    EngagementStatus,
    StatusUpdate,
)
from .services.ladders import RECORD_AFTER, checkin_ladder

BATCH = 500
# A sweep drains at most this many batches per run; the next minute's run takes the rest.
MAX_BATCHES = 40


# --- Shared helpers ---------------------------------------------------------------------------
def drain(batch_fn, *, now, batch=BATCH):
    """Run `batch_fn(now, batch)` (→ (rows read, {counter: n})) until a batch comes back short."""
    totals = {}
    for _ in range(MAX_BATCHES):
        read, counts = batch_fn(now, batch)
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + value
        if read < batch:
            break
    return totals


# --- Status updates: remind, remind again and escalate --------------------------------------------
def _status_batch(now, batch):
    rows = list(
        Engagement.objects.filter(status=EngagementStatus.ACTIVE, update_reminder_at__lte=now)
        .select_related("freelancer", "workspace").order_by("update_reminder_at")[:batch]
    )
    plan, actions = {}, {}
    for e in rows:
        expected = {"update_reminder_step": e.update_reminder_step, "update_reminder_at": e.update_reminder_at,
                    "next_update_due_at": e.next_update_due_at}
        due = e.next_update_due_at
        if due is None or e.update_reminder_step >= 2:
            plan[e.pk] = (expected, {"update_reminder_at": None})
            continue
        second = due + timedelta(hours=e.update_escalate_hours)
        if now >= second:
            # The second step is due (on time, or a sweep catching up after downtime: one email,
            # not both steps a minute apart).
            plan[e.pk] = (expected, {"update_reminder_step": 2, "update_reminder_at": None})
            actions[e.pk] = ("again", "escalate")
        elif e.update_reminder_step == 0:
            plan[e.pk] = (expected, {"update_reminder_step": 1, "update_reminder_at": second})
            actions[e.pk] = ("remind",)
        else:  # step 1 whose second step moved later (the owner changed the delay)
            plan[e.pk] = (expected, {"update_reminder_at": second})
    claimed = claim(Engagement, plan)
    todo = [e for e in rows if e.pk in claimed and e.pk in actions]
    counts = {"reminded": 0, "escalated": 0}
    if not todo:
        return len(rows), counts
    members = owners_by_workspace(e.workspace_id for e in todo)
    last_updates = dict(
        StatusUpdate.objects.filter(engagement_id__in=[e.pk for e in todo]).values("engagement_id")
        .annotate(last=Max("created_at")).values_list("engagement_id", "last")
    )
    items = []
    for e in todo:
        due = e.next_update_due_at
        tz = e.freelancer.timezone
        key = f"status-overdue:{e.pk}:{due.isoformat()}"
        since = last_updates.get(e.pk) or max([m for m in (e.activated_at, e.resumed_at) if m], default=due)
        common = {"due": when(due, tz), "every_days": e.update_every_days,
                  "last_update": when(last_updates.get(e.pk), tz) if last_updates.get(e.pk) else ""}
        if e.remind_freelancer_updates:
            step = 1 if "remind" in actions[e.pk] else 2
            mine = to_freelancer(
                e, kind="update_reminder", key=f"{key}:{step}", now=now,
                context={**common, "step": step, "url": portal_url("updates", pk=e.pk)})
            items += mine
            counts["reminded"] += len(mine)
        if "escalate" in actions[e.pk] and e.escalate_updates_to_owner:
            days = max(1, (now - since).days)
            items += to_owners(
                e, members, kind="update_overdue", key=f"{key}:owner", now=now,
                moments={"due": due, "last_update": last_updates.get(e.pk)},
                context={**common, "days_silent": days, "reminded": e.remind_freelancer_updates,
                         "hours_late": int((now - due).total_seconds() // 3600),
                         "url": owner_url("detail", pk=e.pk)})
            counts["escalated"] += 1
    notify_many(items, now=now)
    return len(rows), counts


@transaction.atomic
def _in_transaction(fn, now, batch):
    return fn(now, batch)


def status_update_reminders(*, now=None, batch=BATCH):
    """Beat: at the due moment (which includes the grace hours) remind the freelancer, with a
    link straight to the update form; `update_escalate_hours` later remind again and tell the
    owner. A new update moves the due date and restarts the ladder."""
    now = now or timezone.now()
    return drain(lambda n, b: _in_transaction(_status_batch, n, b), now=now, batch=batch)


# --- The silence detector -------------------------------------------------------------------------
def _portal_seen(engagement_ids):
    """{engagement_id: the freelancer's last portal visit} (PortalAccess.last_seen_at, through
    the reverse relation; nothing when the portal is absent)."""
    try:
        seen = Engagement.objects.filter(pk__in=engagement_ids, freelancer__portal_access__last_seen_at__isnull=False)
        return dict(seen.values_list("pk", "freelancer__portal_access__last_seen_at"))
    except FieldError:
        return {}


def _quiet_batch(now, batch):
    rows = list(
        Engagement.objects.filter(status=EngagementStatus.ACTIVE, quiet_check_at__lte=now)
        .select_related("freelancer", "workspace").order_by("quiet_check_at")[:batch]
    )
    seen = _portal_seen([e.pk for e in rows])
    plan, quiet = {}, {}
    for e in rows:
        expected = {"quiet_check_at": e.quiet_check_at, "gone_quiet_at": e.gone_quiet_at,
                    "last_activity_at": e.last_activity_at}
        last = max([m for m in (e.last_activity_at, e.activated_at, e.resumed_at, seen.get(e.pk)) if m], default=None)
        if not e.quiet_after_days or last is None or e.gone_quiet_at:
            plan[e.pk] = (expected, {"quiet_check_at": None})
        elif last + timedelta(days=e.quiet_after_days) > now:
            # Heard from since the deadline was set (a portal visit is recorded by the portal
            # only): the silence count moves on, nothing is sent.
            plan[e.pk] = (expected, {"quiet_check_at": last + timedelta(days=e.quiet_after_days),
                                     "last_activity_at": max(last, e.last_activity_at or last)})
        else:
            plan[e.pk] = (expected, {"quiet_check_at": None, "gone_quiet_at": now})
            quiet[e.pk] = last
    claimed = claim(Engagement, plan)
    todo = [e for e in rows if e.pk in claimed and e.pk in quiet]
    if not todo:
        return len(rows), {"gone_quiet": 0}
    members = owners_by_workspace(e.workspace_id for e in todo)
    backups = {}
    for e in Engagement.objects.filter(pk__in=[e.pk for e in todo]).prefetch_related("backups"):
        backups[e.pk] = [b.name for b in e.backups.all()]
    items, activities = [], []
    for e in todo:
        last = quiet[e.pk]
        days = (now - last).days
        items += to_owners(
            e, members, kind="engagement_gone_quiet", key=f"gone-quiet:{e.pk}:{last.isoformat()}", now=now,
            context={"days_silent": days, "quiet_after_days": e.quiet_after_days, "backups": backups.get(e.pk, []),
                     "url": owner_url("checkins", pk=e.pk), "engagement_url": owner_url("detail", pk=e.pk),
                     "bench_url": absolute(reverse("freelancers:bench"))})
        activities.append(Activity(
            engagement=e, kind=ActivityKind.GONE_QUIET, created_at=now,
            summary=f"Gone quiet: nothing from {e.freelancer.name} for {days} days (no update, submission, "
                    "message or portal visit)."))
    Activity.objects.bulk_create(activities)
    notify_many(items, now=now)
    return len(rows), {"gone_quiet": len(todo)}


def silence_detector(*, now=None, batch=BATCH):
    """Beat: an active engagement with no update, submission, message or portal visit for
    `quiet_after_days` (default 5) is marked gone quiet (at risk) and its owner nudged to check
    in or bring in a backup from the bench."""
    now = now or timezone.now()
    return drain(lambda n, b: _in_transaction(_quiet_batch, n, b), now=now, batch=batch)


# --- Check-ins ------------------------------------------------------------------------------------
def _checkin_batch(now, batch):
    rows = list(
        CheckIn.objects.filter(status=CheckInStatus.SCHEDULED, nudge_at__lte=now)
        .select_related("engagement__freelancer", "engagement__workspace").order_by("nudge_at")[:batch]
    )
    plan, actions = {}, {}
    for c in rows:
        e = c.engagement
        expected = {"nudge_step": c.nudge_step, "nudge_at": c.nudge_at, "nudge_for": c.nudge_for,
                    "scheduled_at": c.scheduled_at}
        if e.is_ended:
            plan[c.pk] = (expected, {"nudge_at": None, "nudge_step": 2})
            continue
        if c.nudge_for != c.scheduled_at:  # moved by a path that did not re-arm it
            plan[c.pk] = (expected, checkin_ladder(c.scheduled_at, c.duration_minutes, e.workspace.timezone, now))
            continue
        record_at = c.scheduled_at + timedelta(minutes=c.duration_minutes) + RECORD_AFTER
        if now >= record_at:
            plan[c.pk] = (expected, {"nudge_step": 2, "nudge_at": None})
            actions[c.pk] = "unrecorded"
        elif c.nudge_step == 0 and now < c.scheduled_at:
            plan[c.pk] = (expected, {"nudge_step": 1, "nudge_at": record_at})
            actions[c.pk] = "tomorrow"
        else:
            plan[c.pk] = (expected, {"nudge_step": 1, "nudge_at": record_at})
    claimed = claim(CheckIn, plan)
    todo = [c for c in rows if c.pk in claimed and c.pk in actions]
    counts = {"day_before": 0, "unrecorded": 0}
    if not todo:
        return len(rows), counts
    members = owners_by_workspace(c.engagement.workspace_id for c in todo)
    items = []
    for c in todo:
        e = c.engagement
        action = actions[c.pk]
        context = {"agenda": c.agenda, "meeting_url": c.meeting_url, "minutes": c.duration_minutes,
                   "url": owner_url("checkin", pk=e.pk, checkin_pk=c.pk),
                   "checkins_url": owner_url("checkins", pk=e.pk)}
        for recipient in batch_owner_recipients(e, members):
            # Each owner reads the time in their own zone.
            items += [item(
                kind=f"checkin_{'tomorrow' if action == 'tomorrow' else 'unrecorded'}", email=recipient.email,
                key=f"checkin-{action}:{c.pk}:{c.scheduled_at.isoformat()}:u{recipient.pk}",
                workspace_id=e.workspace_id, tz=recipient.timezone, now=now, user_id=recipient.pk,
                engagement_id=e.pk,
                context={"engagement_title": e.title, "freelancer_name": e.freelancer.name, "engagement_id": e.pk,
                         "audience": "owner", "recipient_first_name": recipient.get_short_name(),
                         "when": when(c.scheduled_at, recipient.timezone), **context})]
        counts["day_before" if action == "tomorrow" else "unrecorded"] += 1
    notify_many(items, now=now)
    return len(rows), counts


def _cadence_batch(now, batch):
    rows = list(
        Engagement.objects.filter(status=EngagementStatus.ACTIVE, checkin_nudge_at__lte=now)
        .select_related("freelancer", "workspace").order_by("checkin_nudge_at")[:batch]
    )
    ids = [e.pk for e in rows]
    planned = set(CheckIn.objects.filter(engagement_id__in=ids, status=CheckInStatus.SCHEDULED)
                  .values_list("engagement_id", flat=True))
    plan = {e.pk: ({"checkin_nudge_at": e.checkin_nudge_at, "next_checkin_at": e.next_checkin_at},
                   {"checkin_nudge_at": None}) for e in rows}
    claimed = claim(Engagement, plan)
    # With a check-in planned (even one whose time passed unrecorded) there is nothing to
    # schedule: the check-in's own nudges ask for its notes.
    todo = [e for e in rows if e.pk in claimed and e.pk not in planned]
    if not todo:
        return len(rows), {"unscheduled": 0}
    members = owners_by_workspace(e.workspace_id for e in todo)
    last_held = dict(
        CheckIn.objects.filter(engagement_id__in=[e.pk for e in todo]).exclude(status=CheckInStatus.SCHEDULED)
        .values("engagement_id").annotate(last=Max("scheduled_at")).values_list("engagement_id", "last")
    )
    items = []
    for e in todo:
        last = last_held.get(e.pk)
        items += to_owners(
            e, members, kind="checkin_unscheduled", key=f"checkin-unscheduled:{e.pk}:{e.checkin_nudge_at.isoformat()}",
            now=now, context={"every_days": e.checkin_every_days,
                              "last_checkin": day_of(last, e.workspace.timezone) if last else "",
                              "url": owner_url("checkins", pk=e.pk)})
    notify_many(items, now=now)
    return len(rows), {"unscheduled": len(todo)}


def checkin_nudges(*, now=None, batch=BATCH):
    """Beat: the day before a check-in the owner gets its agenda; after it, if no notes were
    recorded, a request to record or reschedule it; when the cadence passes with none planned,
    a nudge to schedule one."""
    now = now or timezone.now()
    counts = drain(lambda n, b: _in_transaction(_checkin_batch, n, b), now=now, batch=batch)
    counts.update(drain(lambda n, b: _in_transaction(_cadence_batch, n, b), now=now, batch=batch))
    return counts
