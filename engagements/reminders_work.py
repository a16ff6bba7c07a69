"""Reminders about the work: milestone due dates, and briefs or playbook documents waiting for
the freelancer's acknowledgement. Same mechanism as reminders.py (indexed deadline column,
one batch claim, one insert of dedupe-keyed notifications)."""

from datetime import timedelta

from django.db.models import Max
from django.utils import timezone

from notifications.services import notify_many
from notifications.sweeps import claim

from .emails import owner_url, owners_by_workspace, portal_url, to_freelancer, to_owners, when
from .models import (
    OPEN_STATUSES,
    OPEN_WORK_STATES,
    Brief,
    EngagementStatus,
    Milestone,
    MilestoneState,
    PayTerms,
    PlaybookAcknowledgement,
    PlaybookAckRequest,
)
from .reminders import BATCH, _in_transaction, drain
from .services.ladders import ACK_OWNER_AFTER, MORNING

# A milestone on an engagement that is not under way yet (or paused), or a fixed-price one not
# funded yet, is looked at again a day later rather than reminded about.
NOT_READY_RETRY = timedelta(days=1)


# --- Milestones: due in two days, overdue -------------------------------------------------------
def _ready(m):
    e = m.engagement
    if e.status != EngagementStatus.ACTIVE:
        return False
    # Fixed-price work starts once the milestone is funded; hourly work needs no escrow.
    return m.state != MilestoneState.DRAFT or e.pay_terms == PayTerms.HOURLY


def _milestone_batch(now, batch):
    from notifications.quiet import at_local, zone

    rows = list(
        Milestone.objects.filter(state__in=OPEN_WORK_STATES, due_reminder_at__lte=now)
        .select_related("engagement__freelancer", "engagement__workspace").order_by("due_reminder_at")[:batch]
    )
    plan, actions = {}, {}
    for m in rows:
        e = m.engagement
        expected = {"due_reminder_step": m.due_reminder_step, "due_reminder_at": m.due_reminder_at, "due_at": m.due_at}
        if m.due_on is None or e.is_ended or m.due_reminder_step >= 2:
            plan[m.pk] = (expected, {"due_reminder_at": None})
            continue
        if not _ready(m):
            plan[m.pk] = (expected, {"due_reminder_at": now + NOT_READY_RETRY})
            continue
        tz = zone(e.freelancer.timezone)
        overdue_at = at_local(m.due_on + timedelta(days=1), MORNING, tz)
        if now >= overdue_at:
            plan[m.pk] = (expected, {"due_reminder_step": 2, "due_reminder_at": None})
            actions[m.pk] = "overdue"
        elif m.due_reminder_step == 0 and m.due_at and now < m.due_at:
            plan[m.pk] = (expected, {"due_reminder_step": 1, "due_reminder_at": overdue_at})
            actions[m.pk] = "soon"
        else:
            plan[m.pk] = (expected, {"due_reminder_step": 1, "due_reminder_at": overdue_at})
    claimed = claim(Milestone, plan)
    todo = [m for m in rows if m.pk in claimed and m.pk in actions]
    counts = {"due_soon": 0, "overdue": 0}
    if not todo:
        return len(rows), counts
    members = owners_by_workspace(m.engagement.workspace_id for m in todo)
    items = []
    for m in todo:
        e = m.engagement
        key = f"milestone-due:{m.pk}:{m.due_at.isoformat()}"
        common = {"milestone_title": m.title, "due_on": f"{m.due_on:%A} {m.due_on.day} {m.due_on:%B %Y}",
                  "due_tz": e.freelancer.timezone, "acceptance_criteria": m.acceptance_criteria[:600]}
        portal_milestone = portal_url("milestone", pk=e.pk, milestone_pk=m.pk)
        if actions[m.pk] == "soon":
            items += to_freelancer(e, kind="milestone_due_soon", key=f"{key}:soon", now=now,
                                   context={**common, "url": portal_milestone})
            counts["due_soon"] += 1
        else:
            days_late = max(1, (now - m.due_at).days + 1)
            items += to_freelancer(e, kind="milestone_overdue", key=f"{key}:overdue", now=now,
                                   context={**common, "days_late": days_late, "url": portal_milestone})
            items += to_owners(e, members, kind="milestone_overdue_owner", key=f"{key}:overdue:owner", now=now,
                               context={**common, "days_late": days_late,
                                        "url": owner_url("milestone", pk=e.pk, milestone_pk=m.pk)})
            counts["overdue"] += 1
    notify_many(items, now=now)
    return len(rows), counts


def milestone_reminders(*, now=None, batch=BATCH):
    """Beat: remind the freelancer two days before a milestone's due date; the morning after an
    overdue date remind them again and tell the owner."""
    now = now or timezone.now()
    return drain(lambda n, b: _in_transaction(_milestone_batch, n, b), now=now, batch=batch)


# --- Briefs and playbook documents waiting for acknowledgement ---------------------------------
def _ack_plan(row, *, now, step, at, since, waiting, plan, actions, fields):
    """Shared ladder: 2 days after `since` nudge the freelancer, after 4 tell the owner."""
    step_f, at_f = fields
    expected = {step_f: step, at_f: at}
    if not waiting:
        plan[row.pk] = (expected, {at_f: None, step_f: 2})
        return
    owner_at = since + ACK_OWNER_AFTER
    if step == 0 and now < owner_at:
        plan[row.pk] = (expected, {step_f: 1, at_f: owner_at})
        actions[row.pk] = ("freelancer",)
    elif step == 0:
        plan[row.pk] = (expected, {step_f: 2, at_f: None})
        actions[row.pk] = ("freelancer", "owner")
    elif step == 1 and now >= owner_at:
        plan[row.pk] = (expected, {step_f: 2, at_f: None})
        actions[row.pk] = ("owner",)
    else:
        plan[row.pk] = (expected, {at_f: owner_at} if step == 1 else {at_f: None})


def _ack_items(e, *, what, title, sent_at, acts, key, freelancer_url, members, now):
    context = {"what": what, "document_title": title, "sent": when(sent_at, e.freelancer.timezone),
               "days_waiting": max(1, (now - sent_at).days)}
    items = []
    if "freelancer" in acts:
        items += to_freelancer(e, kind="ack_reminder", key=f"{key}:freelancer", now=now,
                               context={**context, "url": freelancer_url})
    if "owner" in acts:
        items += to_owners(e, members, kind="ack_waiting", key=f"{key}:owner", now=now, moments={"sent": sent_at},
                           context={**context, "url": owner_url("detail", pk=e.pk)})
    return items


def _brief_batch(now, batch):
    rows = list(
        Brief.objects.filter(acknowledged_at__isnull=True, ack_nudge_at__lte=now)
        .select_related("engagement__freelancer", "engagement__workspace").order_by("ack_nudge_at")[:batch]
    )
    latest = dict(
        Brief.objects.filter(engagement_id__in={b.engagement_id for b in rows}).values("engagement_id")
        .annotate(v=Max("version")).values_list("engagement_id", "v")
    )
    plan, actions = {}, {}
    for b in rows:
        waiting = bool(b.sent_at) and latest.get(b.engagement_id) == b.version and b.engagement.status in OPEN_STATUSES
        _ack_plan(b, now=now, step=b.ack_nudge_step, at=b.ack_nudge_at, since=b.sent_at or now, waiting=waiting,
                  plan=plan, actions=actions, fields=("ack_nudge_step", "ack_nudge_at"))
    claimed = claim(Brief, plan)
    todo = [b for b in rows if b.pk in claimed and b.pk in actions]
    if not todo:
        return len(rows), {"briefs": 0}
    members = owners_by_workspace(b.engagement.workspace_id for b in todo)
    items = []
    for b in todo:
        items += _ack_items(b.engagement, what="brief", title=f"Brief v{b.version}", sent_at=b.sent_at,
                            acts=actions[b.pk], key=f"brief-ack:{b.pk}:{b.sent_at.isoformat()}",
                            freelancer_url=portal_url("brief", pk=b.engagement_id), members=members,
                            now=now)
    notify_many(items, now=now)
    return len(rows), {"briefs": len(todo)}


def _playbook_batch(now, batch):
    rows = list(
        PlaybookAckRequest.objects.filter(nudge_at__lte=now)
        .select_related("engagement__freelancer", "engagement__workspace", "version__document")
        .order_by("nudge_at")[:batch]
    )
    acknowledged = set(
        PlaybookAcknowledgement.objects.filter(version_id__in={r.version_id for r in rows})
        .values_list("version_id", "freelancer_id")
    )
    from .models import Engagement

    attached = set(
        Engagement.playbook.through.objects.filter(engagement_id__in={r.engagement_id for r in rows})
        .values_list("engagement_id", "playbookdocument_id")
    )
    plan, actions = {}, {}
    for r in rows:
        e, version = r.engagement, r.version
        waiting = (
            e.status in OPEN_STATUSES and version.version == version.document.current_version
            and (e.pk, version.document_id) in attached and (version.pk, e.freelancer_id) not in acknowledged
        )
        _ack_plan(r, now=now, step=r.nudge_step, at=r.nudge_at, since=r.requested_at, waiting=waiting, plan=plan,
                  actions=actions, fields=("nudge_step", "nudge_at"))
    claimed = claim(PlaybookAckRequest, plan)
    todo = [r for r in rows if r.pk in claimed and r.pk in actions]
    if not todo:
        return len(rows), {"playbook": 0}
    members = owners_by_workspace(r.engagement.workspace_id for r in todo)
    items = []
    for r in todo:
        document = r.version.document
        items += _ack_items(
            r.engagement, what="playbook", title=f"“{document.title}” v{r.version.version}", sent_at=r.requested_at,
            acts=actions[r.pk], key=f"playbook-ack:{r.pk}",
            freelancer_url=portal_url("playbook_document", pk=r.engagement_id, document_pk=document.pk),
            members=members, now=now)
    notify_many(items, now=now)
    return len(rows), {"playbook": len(todo)}


def acknowledgement_nudges(*, now=None, batch=BATCH):
    """Beat: a brief or playbook version waiting for the freelancer's acknowledgement for 2
    days nudges them; after 4 days the owner is told."""
    now = now or timezone.now()
    counts = drain(lambda n, b: _in_transaction(_brief_batch, n, b), now=now, batch=batch)
    counts.update(drain(lambda n, b: _in_transaction(_playbook_batch, n, b), now=now, batch=batch))
    return counts
