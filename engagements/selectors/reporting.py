"""Reads about hearing from the freelancer: the latest status update, the check-ins ahead, the
workspace's prompts for updates, and what the reminder ladders will do next."""

from datetime import timedelta

from ..models import DEFAULT_PROMPTS, CheckIn, CheckInStatus, Engagement, EngagementStatus, StatusUpdate, UpdatePrompts


def latest_update(engagement):
    return StatusUpdate.objects.filter(engagement=engagement).select_related("freelancer").first()


def upcoming_checkins(engagement):
    return CheckIn.objects.filter(engagement=engagement, status=CheckInStatus.SCHEDULED).order_by("scheduled_at")


def update_prompts(workspace):
    """The workspace's prompts (defaults until the owner edits them); not saved by reading."""
    prompts = UpdatePrompts.objects.filter(workspace=workspace).first()
    return prompts or UpdatePrompts(workspace=workspace, **DEFAULT_PROMPTS)


_READ = object()


def ladder_status(engagement, *, read_again=True, planned_checkin=_READ):
    """What the reminders will do next for an engagement, for its pages. The engagement is read
    again (a page that just saved its settings shows them) unless `read_again` is False, and the
    planned check-in unless the caller has it (`planned_checkin`, None for none)."""
    e = Engagement.objects.get(pk=engagement.pk) if read_again else engagement
    update = None
    if e.status == EngagementStatus.ACTIVE and e.next_update_due_at:
        second = e.next_update_due_at + timedelta(hours=e.update_escalate_hours)
        if e.update_reminder_step == 0:
            update = ("next", e.next_update_due_at, "first reminder" if e.remind_freelancer_updates else "")
        elif e.update_reminder_step == 1:
            update = ("next", second, "second reminder" + (" and you are told" if e.escalate_updates_to_owner else ""))
        else:
            update = ("done", None, "")
    return {
        "update": update, "update_step": e.update_reminder_step, "gone_quiet_at": e.gone_quiet_at,
        "quiet_check_at": e.quiet_check_at if e.status == EngagementStatus.ACTIVE else None,
        "last_activity_at": e.last_activity_at, "checkin_nudge_at": e.checkin_nudge_at,
        # With one planned the cadence nudge never fires (the sweep skips it): the panel says so.
        "checkin_planned": upcoming_checkins(e).first() if planned_checkin is _READ else planned_checkin,
        "settings": e,
    }
