"""What a private calendar feed holds: milestone due dates, check-ins, interviews and the ends
of review windows — the workspace's for its owners, one freelancer's own for them. One query
per kind, whatever the number of rows; each event's UID names the row and the kind, so a
calendar updates the same event when a date moves."""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from freelancers.models import Interview
from notifications.calendar import FeedEvent
from notifications.links import absolute

from ..models import (
    OPEN_STATUSES,
    OPEN_WORK_STATES,
    CheckIn,
    CheckInStatus,
    EngagementStatus,
    Milestone,
    MilestoneState,
)

# How far back a feed reaches (so last week's deadline is still there), and at most how many
# events of each kind it carries.
PAST = timedelta(days=30)
PER_KIND = 500


def _uid(kind, pk):
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"{kind}-{pk}@{host}"


def _scope(qs, workspace, freelancer, path="engagement__"):
    qs = qs.filter(**{f"{path}workspace": workspace})
    if freelancer is not None:
        qs = qs.filter(**{f"{path}freelancer": freelancer, f"{path}offered_at__isnull": False}).exclude(
            **{f"{path}status": EngagementStatus.DRAFT})
    return qs


def _link(freelancer, owner_name, portal_name, *args):
    return absolute(reverse(portal_name if freelancer is not None else owner_name, args=args))


def _who(milestone_or_checkin, freelancer):
    engagement = milestone_or_checkin.engagement
    return engagement.title if freelancer is not None else f"{engagement.title}, {engagement.freelancer.name}"


def _milestones(workspace, freelancer, since):
    # Like the home page's agenda: a deadline counts while the work is still to be handed in.
    qs = _scope(Milestone.objects.filter(engagement__status__in=OPEN_STATUSES), workspace, freelancer)
    qs = qs.select_related("engagement__freelancer")
    due = qs.filter(state__in=OPEN_WORK_STATES, due_at__gte=since).order_by("due_at")[:PER_KIND]
    events = [FeedEvent(
        uid=_uid("milestone-due", m.pk), start=m.due_at, summary=f"Due: {m.title} ({_who(m, freelancer)})",
        description=m.acceptance_criteria,
        url=_link(freelancer, "engagements:milestone", "portal:milestone", m.engagement_id, m.pk),
    ) for m in due]
    return events, qs


def _reviews(qs, freelancer, since):
    closing = qs.filter(state=MilestoneState.SUBMITTED, review_deadline_at__gte=since).order_by(
        "review_deadline_at")[:PER_KIND]
    return [FeedEvent(
        uid=_uid("review-closes", m.pk), start=m.review_deadline_at,
        summary=f"Review window ends: {m.title} ({_who(m, freelancer)})",
        description="Submitted work not reviewed by then is released automatically.",
        url=_link(freelancer, "engagements:milestone", "portal:milestone", m.engagement_id, m.pk),
    ) for m in closing]


def _checkins(workspace, freelancer, since):
    qs = _scope(CheckIn.objects.filter(status=CheckInStatus.SCHEDULED, scheduled_at__gte=since), workspace,
                freelancer).select_related("engagement__freelancer").order_by("scheduled_at")[:PER_KIND]
    return [FeedEvent(
        uid=_uid("checkin", c.pk), start=c.scheduled_at, duration=timedelta(minutes=c.duration_minutes),
        summary=f"Check-in: {_who(c, freelancer)}", description=c.agenda,
        url=_link(freelancer, "engagements:checkin", "portal:checkins", c.engagement_id,
                  *([] if freelancer is not None else [c.pk])),
    ) for c in qs]


def _interviews(workspace, freelancer, since):
    qs = Interview.objects.filter(freelancer__workspace=workspace, cancelled_at__isnull=True,
                                  scheduled_at__gte=since)
    if freelancer is not None:
        qs = qs.filter(freelancer=freelancer)
    qs = qs.select_related("freelancer").order_by("scheduled_at")[:PER_KIND]
    return [FeedEvent(
        uid=_uid("interview", i.pk), start=i.scheduled_at, duration=timedelta(minutes=i.duration_minutes),
        summary=(f"{i.get_kind_display()} with {workspace.name}" if freelancer is not None
                 else f"{i.get_kind_display()}: {i.freelancer.name}"),
        description=i.meeting_url,
        url=(i.meeting_url if freelancer is not None
             else absolute(reverse("freelancers:interview", args=[i.pk]))),
    ) for i in qs]


def calendar_events(*, workspace, freelancer=None, now=None):
    """The feed's events: the workspace's (owner side), or `freelancer`'s own engagements and
    interviews. Four queries."""
    since = (now or timezone.now()) - PAST
    events, open_milestones = _milestones(workspace, freelancer, since)
    events += _reviews(open_milestones, freelancer, since)
    events += _checkins(workspace, freelancer, since)
    events += _interviews(workspace, freelancer, since)
    return events
