"""Milestone due dates: 09:00 (the freelancer's time) two days before the due date the
freelancer is reminded; the morning after an overdue date they are reminded again and the owner
is told. Submitted work is not chased.

The ladder is `Milestone.due_reminder_at` / `due_reminder_step` (0, 1 reminded, 2 done),
re-armed whenever the due date changes (services/ladders.py: milestone_due_fields).
"""

from datetime import timedelta

from django.utils import timezone

from notifications.quiet import at_local, zone
from notifications.sweeps import BATCH, drain, run_ladder

from ..emails import owner_url, owners_by_workspace, portal_url, to_freelancer, to_owners
from ..models import OPEN_WORK_STATES, EngagementStatus, Milestone, MilestoneState, PayTerms
from ..services.ladders import MORNING

# A milestone on an engagement that is not under way yet (or paused), or a fixed-price one not
# funded yet, is looked at again a day later rather than reminded about.
NOT_READY_RETRY = timedelta(days=1)


def _ready(m):
    e = m.engagement
    if e.status != EngagementStatus.ACTIVE:
        return False
    # Fixed-price work starts once the milestone is funded; hourly work needs no escrow.
    return m.state != MilestoneState.DRAFT or e.pay_terms == PayTerms.HOURLY


def _decide(now):
    def decide(m):
        e = m.engagement
        expected = {"due_reminder_step": m.due_reminder_step, "due_reminder_at": m.due_reminder_at, "due_at": m.due_at}
        if m.due_on is None or e.is_ended or m.due_reminder_step >= 2:
            return expected, {"due_reminder_at": None}, None
        if not _ready(m):
            return expected, {"due_reminder_at": now + NOT_READY_RETRY}, None
        overdue_at = at_local(m.due_on + timedelta(days=1), MORNING, zone(e.freelancer.timezone))
        if now >= overdue_at:
            return expected, {"due_reminder_step": 2, "due_reminder_at": None}, "overdue"
        if m.due_reminder_step == 0 and m.due_at and now < m.due_at:
            return expected, {"due_reminder_step": 1, "due_reminder_at": overdue_at}, "soon"
        return expected, {"due_reminder_step": 1, "due_reminder_at": overdue_at}, None
    return decide


def _compose(now):
    def compose(todo):
        members = owners_by_workspace(m.engagement.workspace_id for m, _ in todo)
        items, counts = [], {"due_soon": 0, "overdue": 0}
        for m, action in todo:
            e = m.engagement
            key = f"milestone-due:{m.pk}:{m.due_at.isoformat()}"
            common = {"milestone_title": m.title, "due_on": f"{m.due_on:%A} {m.due_on.day} {m.due_on:%B %Y}",
                      "due_tz": e.freelancer.timezone, "acceptance_criteria": m.acceptance_criteria[:600]}
            portal_milestone = portal_url("milestone", pk=e.pk, milestone_pk=m.pk)
            if action == "soon":
                items += to_freelancer(e, kind="milestone_due_soon", key=f"{key}:soon", now=now,
                                       context={**common, "url": portal_milestone})
                counts["due_soon"] += 1
                continue
            days_late = max(1, (now - m.due_at).days + 1)
            items += to_freelancer(e, kind="milestone_overdue", key=f"{key}:overdue", now=now,
                                   context={**common, "days_late": days_late, "url": portal_milestone})
            items += to_owners(e, members, kind="milestone_overdue_owner", key=f"{key}:overdue:owner", now=now,
                               context={**common, "days_late": days_late,
                                        "url": owner_url("milestone", pk=e.pk, milestone_pk=m.pk)})
            counts["overdue"] += 1
        return items, counts
    return compose


def _batch(now, batch):
    rows = list(
        Milestone.objects.filter(state__in=OPEN_WORK_STATES, due_reminder_at__lte=now)
        .select_related("engagement__freelancer", "engagement__workspace").order_by("due_reminder_at")[:batch]
    )
    return run_ladder(Milestone, rows, _decide(now), _compose(now), now=now, counters=("due_soon", "overdue"))


def milestone_reminders(*, now=None, batch=BATCH):
    """Beat: remind the freelancer two days before a milestone's due date; the morning after an
    overdue date remind them again and tell the owner."""
    return drain(_batch, now=now or timezone.now(), batch=batch)
