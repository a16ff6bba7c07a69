"""Status updates: at the due moment (which already includes the grace hours) the freelancer is
reminded, with a link straight to the update form; `update_escalate_hours` later they are
reminded again and the owner hears. A new update moves the due date and restarts the ladder.

The ladder is `Engagement.update_reminder_at` / `update_reminder_step` (0, 1 reminded, 2
escalated), each step configurable per engagement on its Reminders page.
"""

from datetime import timedelta

from django.db.models import Max
from django.utils import timezone

from notifications.sweeps import BATCH, drain, run_ladder

from ..emails import owner_url, owners_by_workspace, portal_url, to_freelancer, to_owners, when
from ..models import Engagement, EngagementStatus, StatusUpdate


def _decide(now):
    def decide(e):
        expected = {"update_reminder_step": e.update_reminder_step, "update_reminder_at": e.update_reminder_at,
                    "next_update_due_at": e.next_update_due_at}
        due = e.next_update_due_at
        if due is None or e.update_reminder_step >= 2:
            return expected, {"update_reminder_at": None}, None
        second = due + timedelta(hours=e.update_escalate_hours)
        if now >= second:
            # The second step is due (on time, or a sweep catching up after downtime: one email,
            # not both steps a minute apart).
            return expected, {"update_reminder_step": 2, "update_reminder_at": None}, ("again", "escalate")
        if e.update_reminder_step == 0:
            return expected, {"update_reminder_step": 1, "update_reminder_at": second}, ("remind",)
        # Step 1 whose second step moved later (the owner changed the delay).
        return expected, {"update_reminder_at": second}, None
    return decide


def _compose(now):
    def compose(todo):
        members = owners_by_workspace(e.workspace_id for e, _ in todo)
        last_updates = dict(
            StatusUpdate.objects.filter(engagement_id__in=[e.pk for e, _ in todo]).values("engagement_id")
            .annotate(last=Max("created_at")).values_list("engagement_id", "last")
        )
        items, counts = [], {"reminded": 0, "escalated": 0}
        for e, actions in todo:
            due = e.next_update_due_at
            tz = e.freelancer.timezone
            key = f"status-overdue:{e.pk}:{due.isoformat()}"
            since = last_updates.get(e.pk) or max([m for m in (e.activated_at, e.resumed_at) if m], default=due)
            common = {"due": when(due, tz), "every_days": e.update_every_days,
                      "last_update": when(last_updates.get(e.pk), tz) if last_updates.get(e.pk) else ""}
            if e.remind_freelancer_updates:
                step = 1 if "remind" in actions else 2
                mine = to_freelancer(
                    e, kind="update_reminder", key=f"{key}:{step}", now=now,
                    context={**common, "step": step, "url": portal_url("updates", pk=e.pk)})
                items += mine
                counts["reminded"] += len(mine)
            if "escalate" in actions and e.escalate_updates_to_owner:
                items += to_owners(
                    e, members, kind="update_overdue", key=f"{key}:owner", now=now,
                    moments={"due": due, "last_update": last_updates.get(e.pk)},
                    context={**common, "days_silent": max(1, (now - since).days),
                             "reminded": e.remind_freelancer_updates,
                             # Step 1 went out earlier, or a sweep catching up sends only step 2.
                             "reminders": 2 if e.update_reminder_step == 1 else 1,
                             "hours_late": int((now - due).total_seconds() // 3600),
                             "url": owner_url("detail", pk=e.pk)})
                counts["escalated"] += 1
        return items, counts
    return compose


def _batch(now, batch):
    rows = list(
        Engagement.objects.filter(status=EngagementStatus.ACTIVE, update_reminder_at__lte=now)
        .select_related("freelancer", "workspace").order_by("update_reminder_at")[:batch]
    )
    return run_ladder(Engagement, rows, _decide(now), _compose(now), now=now, counters=("reminded", "escalated"))


def status_update_reminders(*, now=None, batch=BATCH):
    """Beat: at the due moment (which includes the grace hours) remind the freelancer, with a
    link straight to the update form; `update_escalate_hours` later remind again and tell the
    owner. A new update moves the due date and restarts the ladder."""
    return drain(_batch, now=now or timezone.now(), batch=batch)
