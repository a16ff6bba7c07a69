"""Arming the reminder ladders: what the services call whenever a row's deadline changes.

Every reminder is a ladder on its row (engagements/reminders/): the moment of its next step is
a column with a partial index, NULL once the ladder is done. These helpers compute the columns
that restart or move a ladder, so the action that changes a deadline writes them in the same
statement (a new status update restarts the update ladder; a new due date re-arms the milestone
reminders; a sign of the freelancer lifts "gone quiet"). The owner's settings for an
engagement's ladders are changed here too. The sweeps that walk the ladders read these
columns; nothing here sends an email.
"""

from datetime import time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from notifications.quiet import at_local, zone

from ..models import ActivityKind, CheckIn, CheckInStatus, Engagement, EngagementStatus, PlaybookAckRequest
from .activity import activity_record

# Morning reminders (due soon, the day before a check-in) go out at 09:00 local.
MORNING = time(9, 0)
# After a check-in's end, how long before the owner is asked to record it.
RECORD_AFTER = timedelta(hours=1)
# A brief or playbook version waiting for acknowledgement: the freelancer is nudged after 2 days,
# the owner told after 4.
ACK_FREELANCER_AFTER = timedelta(days=2)
ACK_OWNER_AFTER = timedelta(days=4)


# --- Status updates, silence, check-ins ----------------------------------------------------------
def update_ladder_reset(new_due):
    """Fields for the UPDATE that stores a recomputed `next_update_due_at`: a due date that
    changed (a new update, a new cadence, a resume) restarts the ladder at step 0 on the new
    date; an unchanged one keeps where the ladder is."""
    unchanged = Q(next_update_due_at=new_due) & (Q(update_reminder_step__gt=0) | Q(update_reminder_at__isnull=False))
    return {
        "update_reminder_at": Case(When(unchanged, then=F("update_reminder_at")), default=Value(new_due),
                                   output_field=Engagement._meta.get_field("update_reminder_at")),
        "update_reminder_step": Case(When(unchanged, then=F("update_reminder_step")), default=Value(0),
                                     output_field=Engagement._meta.get_field("update_reminder_step")),
    }


def checkin_nudge_reset(new_checkin):
    """The cadence nudge follows `next_checkin_at`: re-armed whenever that moves."""
    return {"checkin_nudge_at": Case(When(next_checkin_at=new_checkin, then=F("checkin_nudge_at")),
                                     default=Value(new_checkin),
                                     output_field=Engagement._meta.get_field("checkin_nudge_at"))}


def quiet_fields(*, last_activity_at, activated_at, resumed_at, quiet_after_days, gone_quiet_at, status):
    """When the engagement would go quiet: N days after the latest sign of the freelancer (or
    the start, or the resume). A resume after going quiet starts the count again."""
    anchor = max([m for m in (last_activity_at, activated_at, resumed_at) if m], default=None)
    fields = {}
    if gone_quiet_at and anchor and anchor > gone_quiet_at:
        fields["gone_quiet_at"] = gone_quiet_at = None
    if status != EngagementStatus.ACTIVE or gone_quiet_at or not quiet_after_days or anchor is None:
        fields["quiet_check_at"] = None
    else:
        fields["quiet_check_at"] = anchor + timedelta(days=quiet_after_days)
    return fields


def quiet_recompute(*, engagement_id):
    row = Engagement.objects.filter(pk=engagement_id).values(
        "last_activity_at", "activated_at", "resumed_at", "quiet_after_days", "gone_quiet_at", "status").first()
    if row is not None:
        Engagement.objects.filter(pk=engagement_id).update(**quiet_fields(**row))


def engagement_heard_from(*, engagement, at=None):
    """The freelancer did something (an update, a submission, a message, an acknowledgement):
    the silence count starts again and a "gone quiet" mark is lifted."""
    at = at or timezone.now()
    Engagement.objects.filter(pk=engagement.pk).exclude(last_activity_at__gte=at).update(
        last_activity_at=at, gone_quiet_at=None)
    quiet_recompute(engagement_id=engagement.pk)


def checkin_ladder(scheduled_at, duration_minutes, tz_name, now):
    """The day before at 09:00 (workspace time) the owner gets the agenda; an hour after the
    end, if nothing was recorded, a request to record or reschedule. A check-in planned less
    than a day ahead skips the first."""
    tz = zone(tz_name)
    day_before = at_local(scheduled_at.astimezone(tz).date() - timedelta(days=1), MORNING, tz)
    if now < day_before:
        return {"nudge_at": day_before, "nudge_step": 0, "nudge_for": scheduled_at}
    ends = scheduled_at + timedelta(minutes=duration_minutes)
    return {"nudge_at": ends + RECORD_AFTER, "nudge_step": 1, "nudge_for": scheduled_at}


def checkin_nudges_sync(*, engagement, now=None):
    """Arm the nudges of the engagement's scheduled check-ins whose time is new or moved."""
    now = now or timezone.now()
    tz_name = engagement.workspace.timezone
    moved = CheckIn.objects.filter(engagement=engagement, status=CheckInStatus.SCHEDULED).filter(
        Q(nudge_for__isnull=True) | ~Q(nudge_for=F("scheduled_at")))
    for checkin in moved:
        CheckIn.objects.filter(pk=checkin.pk, scheduled_at=checkin.scheduled_at).update(
            **checkin_ladder(checkin.scheduled_at, checkin.duration_minutes, tz_name, now))


def due_ladder(due_on, tz_name, now):
    """Milestone reminders: 09:00 (freelancer time) two days before the due date, then 09:00 the
    day after it. A date set inside that window starts at the later step; a date already more
    than a day past sends nothing."""
    if due_on is None:
        return {"due_reminder_at": None, "due_reminder_step": 0}
    tz = zone(tz_name)
    soon = at_local(due_on - timedelta(days=2), MORNING, tz)
    overdue = at_local(due_on + timedelta(days=1), MORNING, tz)
    if now < soon:
        return {"due_reminder_at": soon, "due_reminder_step": 0}
    if now < overdue:
        return {"due_reminder_at": overdue, "due_reminder_step": 1}
    return {"due_reminder_at": None, "due_reminder_step": 2}


def milestone_due_fields(due_on, freelancer, now=None):
    return due_ladder(due_on, freelancer.timezone, now or timezone.now())


def brief_ack_fields(sent_at):
    return {"ack_nudge_at": sent_at + ACK_FREELANCER_AFTER if sent_at else None, "ack_nudge_step": 0}


def playbook_requests_arm(*, engagement, versions, at=None):
    """The freelancer was asked to read these playbook versions: start their nudge ladders
    (once per engagement and version)."""
    at = at or timezone.now()
    for version in versions:
        PlaybookAckRequest.objects.get_or_create(
            engagement=engagement, version=version,
            defaults={"requested_at": at, "nudge_at": at + ACK_FREELANCER_AFTER},
        )


# --- Per-engagement settings ------------------------------------------------------------------------
REMINDER_FIELDS = ("remind_freelancer_updates", "escalate_updates_to_owner", "update_escalate_hours",
                   "quiet_after_days")


@transaction.atomic
def engagement_reminders_update(*, engagement, actor, **fields):
    """The owner tunes an engagement's reminder ladder and silence detector. A changed delay
    applies to a ladder already under way; a changed silence threshold to the current silence."""
    unknown = set(fields) - set(REMINDER_FIELDS)
    if unknown:
        raise TypeError(f"Unknown reminder settings: {sorted(unknown)}")
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    if engagement.is_ended:
        raise ValidationError("A finished engagement sends no reminders.")
    changed = [name for name, value in fields.items() if getattr(engagement, name) != value]
    if not changed:
        return engagement
    for name in changed:
        setattr(engagement, name, fields[name])
    engagement.full_clean(exclude=["backups", "playbook"])
    engagement.save(update_fields=[*changed, "updated_at"])
    if "update_escalate_hours" in changed and engagement.update_reminder_step == 1 and engagement.next_update_due_at:
        Engagement.objects.filter(pk=engagement.pk, update_reminder_step=1).update(
            update_reminder_at=engagement.next_update_due_at + timedelta(hours=engagement.update_escalate_hours))
    if "quiet_after_days" in changed:
        quiet_recompute(engagement_id=engagement.pk)
    labels = ", ".join(str(Engagement._meta.get_field(name).verbose_name) for name in changed)
    activity_record(engagement=engagement, kind=ActivityKind.REMINDERS_CHANGED, actor_user=actor,
                    summary=f"Changed the reminders: {labels}.")
    engagement.refresh_from_db()
    return engagement

