"""The owner's agenda for the next days (home page "Next 14 days", `GET /api/v1/agenda/`):
milestone deadlines, check-ins, interviews and review windows that close, in time order. Four
queries whatever the number of rows; an item that is handled (submitted, recorded, cancelled,
released) leaves its query."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.urls import reverse

from freelancers.models import Interview

from ..models import (
    OPEN_STATUSES,
    OPEN_WORK_STATES,
    CheckIn,
    CheckInStatus,
    Milestone,
    MilestoneState,
)

AGENDA_KINDS = ("milestone_due", "checkin", "interview", "review_closes")
MAX_DAYS = 60


@dataclass
class AgendaItem:
    at: datetime
    kind: str
    title: str
    url: str
    engagement: int | None = None

    def as_dict(self):
        return {"at": self.at, "kind": self.kind, "title": self.title, "url": self.url,
                "engagement": self.engagement}


def owner_agenda(workspace, *, now, days=14):
    until = now + timedelta(days=days)
    items = [*_milestones_due(workspace, now, until), *_reviews(workspace, now, until),
             *_checkins(workspace, now, until), *_interviews(workspace, now, until)]
    return sorted(items, key=lambda i: (i.at, i.kind, i.title))


def _milestone_url(m):
    return reverse("engagements:milestone", kwargs={"pk": m.engagement_id, "milestone_pk": m.pk})


def _milestones_due(workspace, now, until):
    milestones = (Milestone.objects.filter(engagement__workspace=workspace, engagement__status__in=OPEN_STATUSES,
                                           state__in=OPEN_WORK_STATES, due_at__gte=now, due_at__lt=until)
                  .select_related("engagement__freelancer"))
    return [AgendaItem(at=m.due_at, kind="milestone_due", url=_milestone_url(m), engagement=m.engagement_id,
                       title=f"“{m.title}” due from {m.engagement.freelancer.name} ({m.engagement.title})")
            for m in milestones]


def _reviews(workspace, now, until):
    milestones = (Milestone.objects.filter(engagement__workspace=workspace, state=MilestoneState.SUBMITTED,
                                           review_deadline_at__gte=now, review_deadline_at__lt=until)
                  .select_related("engagement__freelancer"))
    return [AgendaItem(at=m.review_deadline_at, kind="review_closes", url=_milestone_url(m),
                       engagement=m.engagement_id,
                       title=f"Review of “{m.title}” by {m.engagement.freelancer.name} closes; the payment is "
                             f"then released automatically")
            for m in milestones]


def _checkins(workspace, now, until):
    checkins = (CheckIn.objects.filter(engagement__workspace=workspace, status=CheckInStatus.SCHEDULED,
                                       scheduled_at__gte=now, scheduled_at__lt=until)
                .select_related("engagement__freelancer"))
    return [AgendaItem(at=c.scheduled_at, kind="checkin", engagement=c.engagement_id,
                       url=reverse("engagements:checkin", kwargs={"pk": c.engagement_id, "checkin_pk": c.pk}),
                       title=f"Check-in with {c.engagement.freelancer.name} about “{c.engagement.title}”")
            for c in checkins]


def _interviews(workspace, now, until):
    interviews = (Interview.objects.filter(freelancer__workspace=workspace, cancelled_at__isnull=True,
                                           scheduled_at__gte=now, scheduled_at__lt=until)
                  .select_related("freelancer"))
    return [AgendaItem(at=i.scheduled_at, kind="interview",
                       url=reverse("freelancers:interview", kwargs={"pk": i.pk}),
                       title=f"{i.get_kind_display()} with {i.freelancer.name} ({i.duration_minutes} min)")
            for i in interviews]
