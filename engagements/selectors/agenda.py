"""The owner's agenda for the next days (home page "Next 14 days", `GET /api/v1/agenda/`):
milestone deadlines, check-ins, interviews and review windows that close, in time order. Four
queries whatever the number of rows; an item that is handled (submitted, recorded, cancelled,
released) leaves its query.

Each kind's query reads at most the first `limit` rows in time order, with the number of all its
rows counted beside them in SQL (a window COUNT), so the home page's "the soonest 30 of 12,000"
builds 30 items, not 12,000."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Window
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
    pk: int | None = None  # the row's id: with `at` and `kind`, the order (ties broken in SQL)

    def sort_key(self):
        return (self.at, self.kind, self.pk or 0)

    def as_dict(self):
        return {"at": self.at, "kind": self.kind, "title": self.title, "url": self.url,
                "engagement": self.engagement}


def owner_agenda(workspace, *, now, days=14):
    return owner_agenda_page(workspace, now=now, days=days)[0]


def owner_agenda_page(workspace, *, now, days=14, offset=0, limit=None):
    """(items offset..offset+limit of the agenda in time order, how many items it has in all):
    each kind reads at most offset + limit rows, with its count from the same query."""
    until, stop = now + timedelta(days=days), None if limit is None else offset + limit
    items, total = [], 0
    for read in (_milestones_due, _reviews, _checkins, _interviews):
        kind_items, kind_total = read(workspace, now, until, stop)
        items += kind_items
        total += kind_total
    return sorted(items, key=AgendaItem.sort_key)[offset:stop], total


def _first(queryset, at, stop):
    """(rows in time order, at most `stop` of them; how many rows the query has in all)."""
    queryset = queryset.annotate(_total=Window(Count("pk"))).order_by(at, "pk")
    rows = list(queryset if stop is None else queryset[:stop])
    return rows, rows[0]._total if rows else 0


def _milestone_url(m):
    return reverse("engagements:milestone", kwargs={"pk": m.engagement_id, "milestone_pk": m.pk})


def _milestones_due(workspace, now, until, stop):
    milestones, total = _first(
        Milestone.objects.filter(engagement__workspace=workspace, engagement__status__in=OPEN_STATUSES,
                                 state__in=OPEN_WORK_STATES, due_at__gte=now, due_at__lt=until)
        .select_related("engagement__freelancer"), "due_at", stop)
    return [AgendaItem(at=m.due_at, kind="milestone_due", url=_milestone_url(m), engagement=m.engagement_id,
                       title=f"“{m.title}” due from {m.engagement.freelancer.name} ({m.engagement.title})",
                       pk=m.pk)
            for m in milestones], total


def _reviews(workspace, now, until, stop):
    milestones, total = _first(
        Milestone.objects.filter(engagement__workspace=workspace, state=MilestoneState.SUBMITTED,
                                 review_deadline_at__gte=now, review_deadline_at__lt=until)
        .select_related("engagement__freelancer"), "review_deadline_at", stop)
    return [AgendaItem(at=m.review_deadline_at, kind="review_closes", url=_milestone_url(m),
                       engagement=m.engagement_id, pk=m.pk,
                       title=f"Review of “{m.title}” by {m.engagement.freelancer.name} closes; the payment is "
                             f"then released automatically")
            for m in milestones], total


def _checkins(workspace, now, until, stop):
    checkins, total = _first(
        CheckIn.objects.filter(engagement__workspace=workspace, status=CheckInStatus.SCHEDULED,
                               scheduled_at__gte=now, scheduled_at__lt=until)
        .select_related("engagement__freelancer"), "scheduled_at", stop)
    return [AgendaItem(at=c.scheduled_at, kind="checkin", engagement=c.engagement_id, pk=c.pk,
                       url=reverse("engagements:checkin", kwargs={"pk": c.engagement_id, "checkin_pk": c.pk}),
                       title=f"Check-in with {c.engagement.freelancer.name} about “{c.engagement.title}”")
            for c in checkins], total


def _interviews(workspace, now, until, stop):
    interviews, total = _first(
        Interview.objects.filter(freelancer__workspace=workspace, cancelled_at__isnull=True,
                                 scheduled_at__gte=now, scheduled_at__lt=until)
        .select_related("freelancer"), "scheduled_at", stop)
    return [AgendaItem(at=i.scheduled_at, kind="interview", pk=i.pk,
                       url=reverse("freelancers:interview", kwargs={"pk": i.pk}),
                       title=f"{i.get_kind_display()} with {i.freelancer.name} ({i.duration_minutes} min)")
            for i in interviews], total
