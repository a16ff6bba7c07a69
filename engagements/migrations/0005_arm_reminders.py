"""Arm the reminder ladders of rows that existed before the reminders did (the columns came in
0004 empty). New rows are armed by the services; this gives existing ones the same start.
Self-contained on purpose: a migration must not depend on code that may change later."""

import zoneinfo
from datetime import UTC, datetime, time, timedelta

from django.db import migrations
from django.db.models import Max
from django.utils import timezone

MORNING = time(9, 0)


def _zone(name):
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _at(day, clock, tz):
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC)


def arm(apps, schema_editor):
    Engagement = apps.get_model("engagements", "Engagement")
    Milestone = apps.get_model("engagements", "Milestone")
    CheckIn = apps.get_model("engagements", "CheckIn")
    Brief = apps.get_model("engagements", "Brief")
    StatusUpdate = apps.get_model("engagements", "StatusUpdate")
    now = timezone.now()

    last_update = dict(StatusUpdate.objects.values("engagement_id").annotate(last=Max("created_at"))
                       .values_list("engagement_id", "last"))
    scheduled = set(CheckIn.objects.filter(status="scheduled").values_list("engagement_id", flat=True))
    for e in Engagement.objects.filter(status="active").iterator():
        anchor = max([m for m in (last_update.get(e.pk), e.activated_at, e.resumed_at) if m], default=None)
        Engagement.objects.filter(pk=e.pk).update(
            update_reminder_at=e.next_update_due_at, update_reminder_step=0,
            checkin_nudge_at=None if e.pk in scheduled else e.next_checkin_at,
            last_activity_at=anchor,
            quiet_check_at=anchor + timedelta(days=e.quiet_after_days) if anchor and e.quiet_after_days else None,
        )

    open_work = ["draft", "funded", "changes_requested"]
    for m in Milestone.objects.filter(state__in=open_work, due_on__isnull=False).select_related(
            "engagement__freelancer").iterator():
        tz = _zone(m.engagement.freelancer.timezone)
        soon = _at(m.due_on - timedelta(days=2), MORNING, tz)
        overdue = _at(m.due_on + timedelta(days=1), MORNING, tz)
        at, step = (soon, 0) if now < soon else (overdue, 1) if now < overdue + timedelta(days=1) else (None, 2)
        Milestone.objects.filter(pk=m.pk).update(due_reminder_at=at, due_reminder_step=step)

    for c in CheckIn.objects.filter(status="scheduled").select_related("engagement__workspace").iterator():
        tz = _zone(c.engagement.workspace.timezone)
        day_before = _at(c.scheduled_at.astimezone(tz).date() - timedelta(days=1), MORNING, tz)
        if now < day_before:
            fields = {"nudge_at": day_before, "nudge_step": 0}
        else:
            fields = {"nudge_at": c.scheduled_at + timedelta(minutes=c.duration_minutes, hours=1), "nudge_step": 1}
        CheckIn.objects.filter(pk=c.pk).update(nudge_for=c.scheduled_at, **fields)

    for b in Brief.objects.filter(sent_at__isnull=False, acknowledged_at__isnull=True).iterator():
        Brief.objects.filter(pk=b.pk).update(ack_nudge_at=b.sent_at + timedelta(days=2), ack_nudge_step=0)

    Invitation = apps.get_model("accounts", "Invitation")
    for inv in Invitation.objects.filter(status="pending", next_reminder_at__isnull=True).iterator():
        remind = inv.created_at + timedelta(days=3)
        step, at = (0, remind) if remind < inv.expires_at else (1, inv.expires_at)
        Invitation.objects.filter(pk=inv.pk).update(reminder_step=step, next_reminder_at=at)


class Migration(migrations.Migration):
    dependencies = [
        ("engagements", "0004_reminders"),
        ("accounts", "0002_reminders"),
    ]

    operations = [migrations.RunPython(arm, migrations.RunPython.noop)]
