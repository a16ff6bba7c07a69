"""The owner's agenda for the next days (home page "Next 14 days", `GET /api/v1/agenda/`):
milestone deadlines, check-ins, interviews and review windows that close, in time order. One
statement whatever the number of rows (the four kinds' queries joined by UNION ALL); an item that
is handled (submitted, recorded, cancelled, released) leaves its query.

Each kind's query reads at most the first `limit` rows in time order, with the number of all its
rows counted beside them in SQL (a window COUNT), so the home page's "the soonest 30 of 12,000"
builds 30 items, not 12,000."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import CharField, F, IntegerField, Value
from django.db.models.functions import Cast
from django.urls import reverse

from accounts.paging import count_of
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
INTERVIEW_KINDS = dict(Interview._meta.get_field("kind").flatchoices)


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
    each kind reads at most offset + limit rows, with its count from the same query; the four
    kinds' reads are one statement (UNION ALL of rows of one shape: AgendaRow)."""
    until, stop = now + timedelta(days=days), None if limit is None else offset + limit
    parts = [_milestones_due(workspace, now, until), _reviews(workspace, now, until),
             _checkins(workspace, now, until), _interviews(workspace, now, until)]
    parts = [part if stop is None else part[:stop] for part in parts]
    if connection.features.supports_slicing_ordering_in_compound:
        rows = list(parts[0].union(*parts[1:], all=True).order_by())
    else:  # SQLite: no LIMIT inside a compound statement; a query per kind
        rows = [row for part in parts for row in part]
    items, totals = [], {}
    for row in rows:
        row = AgendaRow(*row)
        items.append(_item(row))
        totals[row.kind] = row.total
    return sorted(items, key=AgendaItem.sort_key)[offset:stop], sum(totals.values())


@dataclass
class AgendaRow:
    """What every kind's query selects, in this order (the UNION's columns)."""

    kind: str
    pk: int
    at: datetime
    engagement: int | None
    engagement_title: str
    name: str
    title: str
    detail: str
    minutes: int | None
    total: int


def _rows(queryset, *, kind, at, engagement, engagement_title, name, title, detail, minutes):
    """A kind's rows in AgendaRow's shape, in time order, counted in all beside them (a subquery:
    accounts.paging.count_of)."""
    text, number = CharField(), IntegerField()
    fields = {"_kind": Value(kind, text), "_at": F(at), "_engagement": engagement,
              "_engagement_title": engagement_title, "_name": name, "_title": title, "_detail": detail,
              "_minutes": minutes, "_total": count_of(queryset)}
    for key, value in fields.items():
        if isinstance(value, str):
            fields[key] = F(value)
        elif value is None:  # typed: a bare NULL in the first branches would make the column text
            fields[key] = Cast(Value(None), number if key in ("_engagement", "_minutes") else text)
    return (queryset.annotate(**fields).order_by("_at", "pk")
            .values_list("_kind", "pk", "_at", "_engagement", "_engagement_title", "_name", "_title", "_detail",
                         "_minutes", "_total"))


def _milestone_url(row):
    return reverse("engagements:milestone", kwargs={"pk": row.engagement, "milestone_pk": row.pk})


def _item(row):
    if row.kind == "milestone_due":
        title, url = f"“{row.title}” due from {row.name} ({row.engagement_title})", _milestone_url(row)
    elif row.kind == "review_closes":
        title = f"Review of “{row.title}” by {row.name} closes; the payment is then released automatically"
        url = _milestone_url(row)
    elif row.kind == "checkin":
        title = f"Check-in with {row.name} about “{row.engagement_title}”"
        url = reverse("engagements:checkin", kwargs={"pk": row.engagement, "checkin_pk": row.pk})
    else:
        title = f"{INTERVIEW_KINDS.get(row.detail, row.detail)} with {row.name} ({row.minutes} min)"
        url = reverse("freelancers:interview", kwargs={"pk": row.pk})
    return AgendaItem(at=row.at, kind=row.kind, title=title, url=url, engagement=row.engagement, pk=row.pk)


def _milestones_due(workspace, now, until):
    return _rows(
        Milestone.objects.filter(engagement__workspace=workspace, engagement__status__in=OPEN_STATUSES,
                                 state__in=OPEN_WORK_STATES, due_at__gte=now, due_at__lt=until),
        kind="milestone_due", at="due_at", engagement="engagement_id", engagement_title="engagement__title",
        name="engagement__freelancer__name", title="title", detail=None, minutes=None)


def _reviews(workspace, now, until):
    return _rows(
        Milestone.objects.filter(engagement__workspace=workspace, state=MilestoneState.SUBMITTED,
                                 review_deadline_at__gte=now, review_deadline_at__lt=until),
        kind="review_closes", at="review_deadline_at", engagement="engagement_id",
        engagement_title="engagement__title", name="engagement__freelancer__name", title="title", detail=None,
        minutes=None)


def _checkins(workspace, now, until):
    return _rows(
        CheckIn.objects.filter(engagement__workspace=workspace, status=CheckInStatus.SCHEDULED,
                               scheduled_at__gte=now, scheduled_at__lt=until),
        kind="checkin", at="scheduled_at", engagement="engagement_id", engagement_title="engagement__title",
        name="engagement__freelancer__name", title=None, detail=None, minutes=None)


def _interviews(workspace, now, until):
    return _rows(
        Interview.objects.filter(freelancer__workspace=workspace, cancelled_at__isnull=True,
                                 scheduled_at__gte=now, scheduled_at__lt=until),
        kind="interview", at="scheduled_at", engagement=None, engagement_title=None, name="freelancer__name",
        title=None, detail="kind", minutes="duration_minutes")
