"""The owners' daily digest: one email at 08:00 in the workspace's time zone, only on days
when something needs them — overdue status updates, engagements gone quiet, today's check-ins,
reviews closing, milestones due, references received since yesterday — plus whatever each
person chose to receive "digest only".

Scheduling and the held emails are notifications' plumbing (notifications.digest); this
module composes the content. It lives here because the content is about engagements (and
references, one app down), and notifications must not import them. Each section is one query
over all the workspaces of a batch, so the sweep's cost grows with batches, not workspaces.
"""

from datetime import time, timedelta

from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from freelancers.models import Reference, ReferenceStatus
from notifications import digest as plumbing
from notifications.links import absolute
from notifications.models import NotificationPreference, PreferenceMode
from notifications.quiet import at_local, decent_not_before, is_decent, zone
from notifications.services import notify_many
from notifications.sweeps import drain

from ..emails import day_of, owner_url
from ..models import OPEN_WORK_STATES, CheckIn, CheckInStatus, Engagement, EngagementStatus, Milestone, MilestoneState

# Workspaces per batch (each section is one query over all of them).
BATCH = 200
# Lines per section; the rest are counted ("and 9,980 more").
SECTION_ITEMS = 20
SOON = timedelta(days=3)


def _hm(moment, tz):
    local = moment.astimezone(tz)
    return f"{local:%H:%M}"


def _engagement_sections(add, workspaces, now):
    names = {w.pk: w.timezone for w in workspaces}
    active = Engagement.objects.filter(workspace_id__in=list(names), status=EngagementStatus.ACTIVE).select_related(
        "freelancer")
    for e in add.top(active.filter(next_update_due_at__lt=now), "Status updates overdue", "workspace_id",
                     "next_update_due_at"):
        late = now - e.next_update_due_at
        span = f"{late.days} day{'s' if late.days != 1 else ''}" if late.days else f"{late.seconds // 3600} h"
        add(e.workspace_id, "Status updates overdue",
            f"{e.freelancer.name} on {e.title}: due {day_of(e.next_update_due_at, names[e.workspace_id])}"
            f" ({span} late)", owner_url("detail", pk=e.pk))
    for e in add.top(active.filter(gone_quiet_at__isnull=False), "Gone quiet", "workspace_id", "gone_quiet_at"):
        add(e.workspace_id, "Gone quiet",
            f"{e.title}: nothing from {e.freelancer.name} since "
            f"{day_of(e.last_activity_at or e.gone_quiet_at, names[e.workspace_id])}",
            owner_url("detail", pk=e.pk))


def _checkins_today(add, workspaces, now):
    """Today's check-ins, by each workspace's calendar."""
    tzs = {w.pk: zone(w.timezone) for w in workspaces}
    bounds = {}
    for w in workspaces:
        today = now.astimezone(tzs[w.pk]).date()
        bounds[w.pk] = (at_local(today, time(0, 0), tzs[w.pk]),
                        at_local(today + timedelta(days=1), time(0, 0), tzs[w.pk]))
    earliest = min(b[0] for b in bounds.values())
    latest = max(b[1] for b in bounds.values())
    for c in (CheckIn.objects.filter(engagement__workspace_id__in=list(tzs), status=CheckInStatus.SCHEDULED,
                                     scheduled_at__gte=earliest, scheduled_at__lt=latest)
              .select_related("engagement__freelancer").order_by("scheduled_at")):
        ws_id = c.engagement.workspace_id
        start, end = bounds[ws_id]
        if start <= c.scheduled_at < end and add.room(ws_id, "Check-ins today"):
            add(ws_id, "Check-ins today",
                f"{_hm(c.scheduled_at, tzs[ws_id])} with {c.engagement.freelancer.name} ({c.engagement.title})"
                + (f": {c.agenda.splitlines()[0][:80]}" if c.agenda.strip() else ""),
                owner_url("checkin", pk=c.engagement_id, checkin_pk=c.pk))


def _milestone_sections(add, workspaces, now):
    names = {w.pk: w.timezone for w in workspaces}
    closing = Milestone.objects.filter(engagement__workspace_id__in=list(names), state=MilestoneState.SUBMITTED,
                                       review_deadline_at__gt=now, review_deadline_at__lte=now + SOON)
    for m in add.top(closing.select_related("engagement__freelancer"), "Reviews closing", "engagement__workspace_id",
                     "review_deadline_at"):
        ws_id = m.engagement.workspace_id
        add(ws_id, "Reviews closing",
            f"“{m.title}” by {m.engagement.freelancer.name}: released automatically "
            f"{day_of(m.review_deadline_at, names[ws_id])} unless you review it",
            owner_url("milestone", pk=m.engagement_id, milestone_pk=m.pk))
    due = Milestone.objects.filter(engagement__workspace_id__in=list(names), engagement__status=EngagementStatus.ACTIVE,
                                   state__in=OPEN_WORK_STATES, due_at__lte=now + timedelta(days=2))
    for m in add.top(due.select_related("engagement__freelancer"), "Milestones due", "engagement__workspace_id",
                     "due_at"):
        late = m.due_at < now
        add(m.engagement.workspace_id, "Milestones due",
            f"“{m.title}” ({m.engagement.freelancer.name}, {m.engagement.title}): "
            + (f"overdue since {m.due_on:%-d %b}" if late else f"due {m.due_on:%A %-d %b}"),
            owner_url("milestone", pk=m.engagement_id, milestone_pk=m.pk))


def _references_received(add, workspaces, now):
    for r in (Reference.objects.filter(freelancer__workspace_id__in=[w.pk for w in workspaces],
                                       status=ReferenceStatus.RECEIVED, answered_at__gt=now - timedelta(days=1))
              .select_related("freelancer").order_by("answered_at")):
        if not add.room(r.freelancer.workspace_id, "References received"):
            continue
        add(r.freelancer.workspace_id, "References received",
            f"{r.name} on {r.freelancer.name}" + (f" (average {r.average:.1f}/5)" if r.average else ""),
            absolute(reverse("freelancers:scorecard", kwargs={"pk": r.freelancer_id})))


# In the order an owner would act on them.
SECTIONS = (_engagement_sections, _checkins_today, _milestone_sections, _references_received)


class _Sections:
    """What `compose` collects: each section's first SECTION_ITEMS lines and its total. A
    section function reads its rows through `top` (cut and counted in SQL), or asks
    `room(ws, title)` (which counts the row) before it builds a line."""

    def __init__(self, workspaces):
        self.items = {w.pk: {} for w in workspaces}
        self.totals = {w.pk: {} for w in workspaces}

    def top(self, qs, title, ws, order):
        """The first SECTION_ITEMS rows of each workspace in `order`, cut in SQL (a window), and
        each workspace's total for `title` (one grouped count): the rest are never loaded."""
        for ws_id, n in qs.order_by().values(ws).annotate(n=Count("pk")).values_list(ws, "n"):
            self.totals[ws_id][title] = n
        rank = Window(RowNumber(), partition_by=[F(ws)], order_by=[F(order).asc(), F("pk").asc()])
        return qs.annotate(_rank=rank).filter(_rank__lte=SECTION_ITEMS).order_by(order, "pk")

    def room(self, ws_id, title):
        self.totals[ws_id][title] = self.totals[ws_id].get(title, 0) + 1
        return len(self.items[ws_id].get(title, ())) < SECTION_ITEMS

    def __call__(self, ws_id, title, text, url):
        self.items[ws_id].setdefault(title, []).append({"text": text, "url": url})


def compose(workspaces, now):
    """{workspace_id: [section]} where a section is {"title", "items": [{"text", "url"}], "total",
    "more"}, only non-empty sections, in the order an owner would act on them. A section lists
    its first SECTION_ITEMS (most urgent first) and counts the rest: an email, not the whole
    list (a workspace with 10,000 overdue updates got a digest of 40,000 lines that took 13 s to
    compose in the benchmark)."""
    add = _Sections(workspaces)
    for section in SECTIONS:
        section(add, workspaces, now)
    return {pk: [{"title": t, "items": items, "total": add.totals[pk][t], "more": add.totals[pk][t] - len(items)}
                 for t, items in sections.items()] for pk, sections in add.items.items()}


def _batch(now, batch):
    plumbing.digests_arm(now=now)
    claimed = plumbing.digests_claim(now=now, batch=batch)
    # A workspace whose time zone changed since its digest was planned: not at 3 a.m. there;
    # the claim already moved it to the next 08:00.
    workspaces = [w for w in claimed if is_decent(now, w.timezone)]
    if not workspaces:
        return len(claimed), {"digests": 0}
    ids = [w.pk for w in workspaces]
    sections = compose(workspaces, now)
    held = plumbing.held_items(ids)
    off = set(NotificationPreference.objects.filter(workspace_id__in=ids, category="digest", mode=PreferenceMode.OFF)
              .values_list("workspace_id", "email"))
    items, digested = [], []
    members = Membership.objects.filter(workspace_id__in=ids, user__is_active=True).select_related("user", "workspace")
    for m in members:
        user, ws = m.user, m.workspace
        if (ws.pk, user.email) in off:
            continue
        mine = held.get((ws.pk, user.email), [])
        if not sections[ws.pk] and not mine:
            continue  # nothing to say today: no email
        local_day = now.astimezone(zone(ws.timezone)).date()
        count = sum(s["total"] for s in sections[ws.pk]) + len(mine)
        items.append({
            "kind": "owner_digest", "recipient_email": user.email, "recipient_user_id": user.pk,
            "workspace_id": ws.pk, "dedupe_key": f"digest:{ws.pk}:{local_day.isoformat()}:u{user.pk}",
            "not_before": decent_not_before(now, user.timezone),
            "context": {"sections": sections[ws.pk], "held": mine, "count": count,
                        "day": f"{local_day:%A} {local_day.day} {local_day:%B}",
                        "recipient_first_name": user.get_short_name(),
                        "url": absolute(reverse("engagements:list")),
                        "preferences_url": absolute(reverse("notifications:preferences"))},
        })
        digested += [h["id"] for h in mine]
    notify_many(items, now=now)
    plumbing.held_mark_digested(digested, now=now)
    return len(claimed), {"digests": len(items)}


def owner_digests(*, now=None, batch=BATCH):
    """Beat: the digest of every workspace whose 08:00 has come."""
    return drain(_batch, now=now or timezone.now(), batch=batch)
