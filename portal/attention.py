"""What needs the freelancer now, most urgent first, and the next days' deadlines, check-ins and
review-window ends (the portal home, and the freelancer's `GET /attention/` and `GET /agenda/`).

Bounded however many engagements: each source of items is one query that orders its rows by
urgency in SQL (severity, then moment), cuts them at `limit` and counts them all with a window
(`COUNT(*) OVER ()`), and every source is read in one statement (`accounts.together`). The most
urgent `limit` items of all are among the first `limit` rows of each source, so merging those in
Python and cutting again gives the same first items as building every one. `limit=None` (the
API, which pages through everything) reads every row. The engagements asking something of the
freelancer are the exception: narrow rows, one per current engagement that asks, each of its four
subqueries evaluated once, ordered and counted in Python (at most one row per current engagement).
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Case, Count, F, OuterRef, Q, Subquery, Value, When, Window
from django.urls import reverse_lazy
from django.utils import timezone

from accounts.together import read_together
from engagements.models import (
    CheckIn,
    CheckInStatus,
    DateChangeStatus,
    Engagement,
    EngagementStatus,
    Milestone,
    MilestoneDateChange,
    MilestoneState,
    PayTerms,
)
from engagements.models.engagement import ENDED_STATUSES
from engagements.selectors import with_unread
from payments.models import CommissionReport, CommissionStatus, Dispute, DisputeSide

from .access import visible_engagements
from .selectors import RUNNING, WORKABLE, docs_waiting_count, with_waiting

S = MilestoneState
SEVERITY_ORDER = {"overdue": 0, "today": 1, "soon": 2}
SEVERITIES = list(SEVERITY_ORDER)
UPDATE_DUE_WITHIN = timedelta(hours=48)
MILESTONE_DUE_WITHIN = timedelta(days=3)
# An answered date request stays on the list this long (it needs reading, not doing).
ANSWER_SHOWN_FOR = timedelta(days=3)
AGENDA_DAYS = 14
_FAR = datetime.max.replace(tzinfo=ZoneInfo("UTC"))


@dataclass
class Item:
    """One thing that needs the freelancer, with the button that handles it."""

    kind: str
    severity: str  # overdue, today or soon
    title: str
    url: str
    action: str
    engagement: object
    due_at: datetime | None = None
    milestone: object = None
    obj_id: int | None = None

    @property
    def key(self):
        return f"{self.kind}:{self.obj_id or (self.milestone.pk if self.milestone else self.engagement.pk)}"

    def as_dict(self):
        return {"key": self.key, "kind": self.kind, "severity": self.severity, "title": self.title,
                "due_at": self.due_at, "engagement": self.engagement.pk,
                "milestone": self.milestone.pk if self.milestone else None, "url": str(self.url)}


@dataclass
class AgendaEntry:
    at: datetime
    kind: str  # milestone_due, checkin, update_due, review_closes
    title: str
    url: str
    engagement: object

    def as_dict(self):
        return {"at": self.at, "kind": self.kind, "title": self.title, "url": str(self.url),
                "engagement": self.engagement.pk}


@dataclass
class Clock:
    """`now`, the freelancer's zone and the start of their tomorrow (what is due before it is due
    "today")."""

    now: datetime
    tz: ZoneInfo

    @property
    def tomorrow(self):
        today = timezone.localtime(self.now, self.tz).date()
        return datetime.combine(today + timedelta(days=1), time(), tzinfo=self.tz)

    def severity(self, moment):
        if moment < self.now:
            return "overdue"
        return "today" if moment < self.tomorrow else "soon"

    def rank(self, moment):
        """The SQL twin of severity(): 0 overdue, 1 today, 2 soon (the field `moment` not null)."""
        return Case(When(**{f"{moment}__lt": self.now}, then=Value(0)),
                    When(**{f"{moment}__lt": self.tomorrow}, then=Value(1)), default=Value(2))


def clock_for(freelancer, now=None):
    return Clock(now or timezone.now(), ZoneInfo(freelancer.timezone or "UTC"))


def _url(name, **kwargs):
    return reverse_lazy(f"portal:{name}", kwargs=kwargs)


def _counted(qs, limit):
    """The queryset cut at `limit` (None: every row), counting every row."""
    qs = qs.annotate(_in_all=Window(Count("pk")))
    return qs if limit is None else qs[:limit]


def _in_all(rows):
    return (rows[0]._in_all or 0) if rows else 0


# --- The sources of attention items -------------------------------------------------------------
def _current(freelancer):
    return visible_engagements(freelancer).exclude(status__in=ENDED_STATUSES)


_ENGAGEMENT_COLUMNS = ("pk", "title", "status", "next_update_due_at", "unread_messages", "waiting_brief",
                       "waiting_agreement", "docs_waiting")


def _engagement_source(freelancer, clock):
    """Current engagements asking something of the freelancer themselves (unread messages, a brief
    or an agreement waiting, playbook documents to acknowledge, a status update due within 48 h),
    as narrow rows (`_ENGAGEMENT_COLUMNS`), every one: their items are built, ordered and counted
    in Python (`attention_from`). Ordering, cutting and counting them in SQL repeated the four
    subqueries (unread, brief, agreement, playbook) in the sort keys and the count of every row,
    which cost twice what reading the rows does."""
    qs = _current(freelancer)
    qs = with_unread(qs, freelancer.user) if freelancer.user_id else qs.annotate(unread_messages=Value(0))
    qs = with_waiting(qs).annotate(docs_waiting=docs_waiting_count(freelancer))
    update = Q(status=EngagementStatus.ACTIVE, next_update_due_at__lte=clock.now + UPDATE_DUE_WITHIN)
    return (qs.filter(Q(unread_messages__gt=0) | Q(waiting_brief__isnull=False) | Q(waiting_agreement__isnull=False)
                      | Q(docs_waiting__gt=0) | update)
            .values_list(*_ENGAGEMENT_COLUMNS).order_by())


class _Asking:
    """An engagement of the engagements source while its items are sorted (a model instance is
    built only for the engagements of the items kept: `_as_engagement`)."""

    __slots__ = _ENGAGEMENT_COLUMNS

    def __init__(self, row):
        for name, value in zip(_ENGAGEMENT_COLUMNS, row, strict=True):
            setattr(self, name, value)


def _as_engagement(asking, built):
    e = built.get(asking.pk)
    if e is None:
        e = built[asking.pk] = Engagement(pk=asking.pk, title=asking.title, status=asking.status,
                                          next_update_due_at=asking.next_update_due_at)
        for name in _ENGAGEMENT_COLUMNS[4:]:
            setattr(e, name, getattr(asking, name))
    return e


# Each kind of engagement item: the portal page that handles it and its button.
_ASK_PAGES = {"message_unread": ("messages", "Read"), "brief_unacknowledged": ("brief", "Read the brief"),
              "playbook_unacknowledged": ("playbook", "Open the playbook"),
              "update_overdue": ("updates", "Post an update"), "update_due": ("updates", "Post an update"),
              "agreement_unsigned": ("agreement", "Read and sign")}


def _engagement_asks(e, clock):
    """What the engagement asks of the freelancer, as (kind, severity, title, due) — what the items
    are sorted by, before any is built (`_ask_item`)."""
    asks = []
    if e.unread_messages:
        n = e.unread_messages
        asks.append(("message_unread", "today", f"{n} unread message{'s' if n != 1 else ''} on “{e.title}”", None))
    if e.waiting_brief:
        asks.append(("brief_unacknowledged", "today", f"Read and acknowledge brief v{e.waiting_brief} of “{e.title}”",
                     None))
    if e.docs_waiting:
        docs = e.docs_waiting
        asks.append(("playbook_unacknowledged", "soon",
                     f"Acknowledge {docs} playbook document{'s' if docs != 1 else ''} for “{e.title}”", None))
    due = e.next_update_due_at
    if e.status == EngagementStatus.ACTIVE and due and due - clock.now <= UPDATE_DUE_WITHIN:
        overdue = due < clock.now
        asks.append(("update_overdue" if overdue else "update_due", clock.severity(due),
                     f"Status update {'overdue' if overdue else 'due'} on “{e.title}”", due))
    if e.waiting_agreement:
        asks.append(("agreement_unsigned", "today", f"Read and sign agreement v{e.waiting_agreement} for “{e.title}”",
                     None))
    return asks


def _ask_item(e, ask):
    kind, severity, title, due = ask
    page, action = _ASK_PAGES[kind]
    return Item(kind, severity, title, _url(page, pk=e.pk), action, e, due_at=due)


def _running(freelancer, path="engagement"):
    """Conditions on `path` (a visible running engagement of the freelancer) as one join, shared
    with `select_related(path)`: `engagement__in=<subquery>` made PostgreSQL hash every engagement
    of the table (10,000 on the bench) to join the select_related row."""
    return Q(**{f"{path}__freelancer": freelancer, f"{path}__status__in": list(RUNNING),
                f"{path}__offered_at__isnull": False})


def _running_milestones(freelancer):
    return Milestone.objects.filter(_running(freelancer))


def _milestone_source(freelancer, clock, limit):
    """Milestones asking for work (changes requested, or due within three days) and disputes the
    owner's side opened on them (the freelancer is asked to answer): one item each."""
    owner_dispute = Dispute.objects.filter(milestone=OuterRef("pk"), resolved_at__isnull=True,
                                           side=DisputeSide.OWNER).order_by("opened_at", "pk")
    qs = (_running_milestones(freelancer)
          .annotate(owner_dispute_id=Case(When(state=S.DISPUTED, then=Subquery(owner_dispute.values("pk")[:1]))),
                    owner_dispute_opened_at=Case(When(state=S.DISPUTED,
                                                      then=Subquery(owner_dispute.values("opened_at")[:1]))))
          .filter(Q(state=S.CHANGES_REQUESTED) | Q(state__in=WORKABLE, due_at__lte=clock.now + MILESTONE_DUE_WITHIN)
                  | Q(state=S.DISPUTED, owner_dispute_id__isnull=False))
          .annotate(_rank=Case(When(state__in=WORKABLE, due_at__lt=clock.now, then=Value(0)),
                               When(state__in=[S.CHANGES_REQUESTED, S.DISPUTED], then=Value(1)),
                               When(due_at__lt=clock.tomorrow, then=Value(1)), default=Value(2)),
                    _moment=Case(When(state=S.DISPUTED, then=F("owner_dispute_opened_at")), default=F("due_at")))
          .select_related("engagement")
          .order_by("_rank", F("_moment").asc(nulls_last=True), "title", "pk"))
    return _counted(qs, limit)


def _milestone_item(m, clock):
    e = m.engagement
    if m.state == S.DISPUTED:
        return Item("dispute_open", "today", f"Dispute on “{m.title}”: the owner waits for your answer",
                    _url("messages", pk=e.pk), "Answer", e, due_at=m.owner_dispute_opened_at,
                    milestone=m, obj_id=m.owner_dispute_id)
    url = _url("milestone", pk=e.pk, milestone_pk=m.pk)
    if m.state == S.CHANGES_REQUESTED:
        return Item("changes_requested", "overdue" if m.due_at and m.due_at < clock.now else "today",
                    f"Changes requested on “{m.title}”", url, "See the feedback", e, due_at=m.due_at, milestone=m)
    overdue = m.due_at < clock.now
    return Item("milestone_overdue" if overdue else "milestone_due", clock.severity(m.due_at),
                f"“{m.title}” {'overdue' if overdue else 'due'}", url, "Hand in the work", e,
                due_at=m.due_at, milestone=m)


def _answered_source(freelancer, clock, limit):
    qs = (MilestoneDateChange.objects
          .filter(milestone__in=_running_milestones(freelancer), decided_at__gte=clock.now - ANSWER_SHOWN_FOR,
                  status__in=[DateChangeStatus.ACCEPTED, DateChangeStatus.DECLINED])
          .select_related("milestone", "milestone__engagement").order_by("decided_at", "pk"))
    return _counted(qs, limit)


def _answered_item(change):
    m = change.milestone
    verdict = "accepted" if change.status == DateChangeStatus.ACCEPTED else "declined"
    return Item("date_request_answered", "soon", f"Your new date for “{m.title}” was {verdict}",
                _url("milestone", pk=m.engagement_id, milestone_pk=m.pk), "See the answer", m.engagement,
                due_at=change.decided_at, milestone=m, obj_id=change.pk)


def _commission_source(freelancer, limit):
    """Commission reports waiting for the freelancer's answer (accept, or dispute before the deadline)."""
    qs = (CommissionReport.objects
          .filter(engagement__in=_current(freelancer).filter(pay_terms=PayTerms.COMMISSION),
                  status=CommissionStatus.REPORTED)
          .select_related("engagement").order_by("dispute_deadline_at", "pk"))
    return _counted(qs, limit)


def _commission_item(r):
    return Item("commission_reported", "soon", f"Commission for {r.period:%B %Y} on “{r.engagement.title}”"
                ": accept it or dispute it before it is paid", _url("commission", pk=r.engagement_id),
                "See the report", r.engagement, due_at=r.dispute_deadline_at, obj_id=r.pk)


def attention_sources(freelancer, clock, limit):
    return [_engagement_source(freelancer, clock), _milestone_source(freelancer, clock, limit),
            _answered_source(freelancer, clock, limit), _commission_source(freelancer, limit)]


def attention_from(rows, clock, limit):
    """(the first `limit` items, most urgent first; how many there are) from the sources' rows."""
    engagements, milestones, answered, commissions = rows
    # (sort key, what to build): the engagements' asks first, in their rows' order, then the other
    # sources' items; Items for asks are built only for those kept.
    keyed = [((SEVERITY_ORDER[ask[1]], ask[3] or _FAR, ask[2]), (e, ask))
             for e in map(_Asking, engagements) for ask in _engagement_asks(e, clock)]
    asked = len(keyed)  # every engagement asking something is read, so its asks are all there
    others = [_milestone_item(m, clock) for m in milestones]
    others += [_answered_item(c) for c in answered] + [_commission_item(r) for r in commissions]
    keyed += [((SEVERITY_ORDER[i.severity], i.due_at or _FAR, i.title), i) for i in others]
    keyed.sort(key=lambda pair: pair[0])
    built = {}
    items = [what if isinstance(what, Item) else _ask_item(_as_engagement(what[0], built), what[1])
             for _, what in (keyed[:limit] if limit is not None else keyed)]
    return items, asked + sum(_in_all(source) for source in rows[1:])


# --- The agenda ---------------------------------------------------------------------------------
def agenda_sources(freelancer, clock, days, limit):
    """Milestones due and review windows closing, check-ins, and status updates due in the next
    `days` days, each source soonest first."""
    until = clock.now + timedelta(days=days)
    milestones = (_running_milestones(freelancer)
                  .filter(Q(state__in=WORKABLE, due_at__gte=clock.now, due_at__lte=until)
                          | Q(state=S.SUBMITTED, review_deadline_at__gte=clock.now, review_deadline_at__lte=until))
                  .annotate(_at=Case(When(state=S.SUBMITTED, then=F("review_deadline_at")), default=F("due_at")))
                  .select_related("engagement").order_by("_at", "pk"))
    running = visible_engagements(freelancer).filter(status__in=RUNNING)
    checkins = (CheckIn.objects.filter(_running(freelancer), status=CheckInStatus.SCHEDULED,
                                       scheduled_at__gte=clock.now, scheduled_at__lte=until)
                .select_related("engagement").order_by("scheduled_at", "pk"))
    updates = running.filter(status=EngagementStatus.ACTIVE, next_update_due_at__gte=clock.now,
                             next_update_due_at__lte=until).order_by("next_update_due_at", "pk")
    return [_counted(qs, limit) for qs in (milestones, checkins, updates)]


def agenda_from(rows, limit):
    milestones, checkins, updates = rows
    entries = []
    for m in milestones:
        e = m.engagement
        url = _url("milestone", pk=e.pk, milestone_pk=m.pk)
        if m.state == S.SUBMITTED:
            entries.append(AgendaEntry(m.review_deadline_at, "review_closes",
                                       f"Review of “{m.title}” closes: released automatically", url, e))
        else:
            entries.append(AgendaEntry(m.due_at, "milestone_due", f"“{m.title}” due", url, e))
    entries += [AgendaEntry(c.scheduled_at, "checkin", f"Check-in on “{c.engagement.title}”",
                            _url("checkins", pk=c.engagement_id), c.engagement) for c in checkins]
    entries += [AgendaEntry(e.next_update_due_at, "update_due", f"Status update due on “{e.title}”",
                            _url("updates", pk=e.pk), e) for e in updates]
    entries.sort(key=lambda a: (a.at, a.title))
    return entries[:limit] if limit is not None else entries, sum(_in_all(source) for source in rows)


def freelancer_attention(freelancer, *, now=None):
    """Every item, most urgent first (the API pages through them)."""
    clock = clock_for(freelancer, now)
    return attention_from(read_together(attention_sources(freelancer, clock, None)), clock, None)[0]


def freelancer_agenda(freelancer, *, now=None, days=AGENDA_DAYS):
    """Every agenda entry of the next `days` days, soonest first."""
    clock = clock_for(freelancer, now)
    return agenda_from(read_together(agenda_sources(freelancer, clock, days, None)), None)[0]
