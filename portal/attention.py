"""The freelancer's front door (the portal home and the freelancer's `GET /attention/`, `/money/`,
`/agenda/`): what needs them now, most urgent first; the next days' deadlines, check-ins and
review-window ends; a card per engagement; and their money (payments' `freelancer_money`).

One query budget however many engagements: every read below is one query over all of the
freelancer's engagements (a test holds the home's count equal for 1 and 100 engagements).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Case, OuterRef, Subquery, When
from django.urls import reverse_lazy
from django.utils import timezone

from engagements.models import (
    CheckIn,
    CheckInStatus,
    DateChangeStatus,
    EngagementStatus,
    Milestone,
    MilestoneDateChange,
    MilestoneState,
    PayTerms,
)
from payments import selectors as money
from payments.models import CommissionReport, CommissionStatus, Dispute, DisputeSide

from .selectors import RUNNING, WORKABLE, my_engagements, playbook_waiting

S = MilestoneState
SEVERITY_ORDER = {"overdue": 0, "today": 1, "soon": 2}
UPDATE_DUE_WITHIN = timedelta(hours=48)
MILESTONE_DUE_WITHIN = timedelta(days=3)
# An answered date request stays on the list this long (it needs reading, not doing).
ANSWER_SHOWN_FOR = timedelta(days=3)
AGENDA_DAYS = 14


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
class Card:
    """An engagement as the home shows it."""

    engagement: object
    next_milestone: object = None
    money: object = None
    items: list = field(default_factory=list)
    update_overdue: bool = False


@dataclass
class FrontDoor:
    attention: list
    agenda: list
    cards: list
    finished: list
    money: object


def _severity(moment, now, tz):
    if moment < now:
        return "overdue"
    return "today" if timezone.localtime(moment, tz).date() == timezone.localtime(now, tz).date() else "soon"


def _url(name, **kwargs):
    # Lazy: an item or date is built for every engagement, its address made only for those shown.
    return reverse_lazy(f"portal:{name}", kwargs=kwargs)


def _milestones(engagements):
    """The milestones of running engagements that still ask something of someone, with their
    engagement, in due order."""
    ids = [e.pk for e in engagements if e.status in RUNNING]
    by_pk = {e.pk: e for e in engagements}
    # A disputed milestone carries the open dispute the owner's side opened, if any (the
    # freelancer is asked to answer it): read with the milestone, not in a query of its own.
    owner_dispute = Dispute.objects.filter(milestone=OuterRef("pk"), resolved_at__isnull=True,
                                           side=DisputeSide.OWNER).order_by("opened_at", "pk")
    rows = list(Milestone.objects.filter(engagement_id__in=ids, state__in=[S.FUNDED, S.CHANGES_REQUESTED,
                                                                            S.SUBMITTED, S.DISPUTED])
                .annotate(owner_dispute_id=Case(When(state=S.DISPUTED,
                                                     then=Subquery(owner_dispute.values("pk")[:1]))),
                          owner_dispute_opened_at=Case(When(state=S.DISPUTED,
                                                            then=Subquery(owner_dispute.values("opened_at")[:1]))))
                .order_by("due_at", "position", "pk"))
    for m in rows:
        m.engagement = by_pk[m.engagement_id]  # no query per milestone
    return rows


def _engagement_items(e, now, tz, *, brief_version, docs):
    items = []
    if getattr(e, "unread_messages", 0):
        n = e.unread_messages
        items.append(Item("message_unread", "today", f"{n} unread message{'s' if n != 1 else ''} on “{e.title}”",
                          _url("messages", pk=e.pk), "Read", e))
    if brief_version:
        items.append(Item("brief_unacknowledged", "today",
                          f"Read and acknowledge brief v{brief_version} of “{e.title}”",
                          _url("brief", pk=e.pk), "Read the brief", e))
    if docs:
        items.append(Item("playbook_unacknowledged", "soon",
                          f"Acknowledge {docs} playbook document{'s' if docs != 1 else ''} for “{e.title}”",
                          _url("playbook", pk=e.pk), "Open the playbook", e))
    due = e.next_update_due_at
    if e.status == EngagementStatus.ACTIVE and due and due - now <= UPDATE_DUE_WITHIN:
        overdue = due < now
        items.append(Item("update_overdue" if overdue else "update_due", _severity(due, now, tz),
                          f"Status update {'overdue' if overdue else 'due'} on “{e.title}”",
                          _url("updates", pk=e.pk), "Post an update", e, due_at=due))
    return items


def _milestone_items(m, now, tz):
    e = m.engagement
    url = _url("milestone", pk=e.pk, milestone_pk=m.pk)
    if m.state == S.CHANGES_REQUESTED:
        return [Item("changes_requested", _severity(m.due_at, now, tz) if m.due_at and m.due_at < now else "today",
                     f"Changes requested on “{m.title}”", url, "See the feedback", e, due_at=m.due_at, milestone=m)]
    if m.state in WORKABLE and m.due_at and m.due_at - now <= MILESTONE_DUE_WITHIN:
        overdue = m.due_at < now
        return [Item("milestone_overdue" if overdue else "milestone_due", _severity(m.due_at, now, tz),
                     f"“{m.title}” {'overdue' if overdue else 'due'}", url, "Hand in the work", e,
                     due_at=m.due_at, milestone=m)]
    return []


def _dispute_items(milestones, now):
    """Open disputes the owner's side opened (read with the milestones): the freelancer is asked to answer."""
    return [Item("dispute_open", "today", f"Dispute on “{m.title}”: the owner waits for your answer",
                 _url("messages", pk=m.engagement.pk), "Answer", m.engagement, due_at=m.owner_dispute_opened_at,
                 milestone=m, obj_id=m.owner_dispute_id)
            for m in milestones if m.owner_dispute_id is not None]


def _answered_date_items(engagements, now):
    by_pk = {e.pk: e for e in engagements if e.status in RUNNING}
    answered = (MilestoneDateChange.objects
                .filter(milestone__engagement_id__in=list(by_pk), decided_at__gte=now - ANSWER_SHOWN_FOR,
                        status__in=[DateChangeStatus.ACCEPTED, DateChangeStatus.DECLINED])
                .select_related("milestone"))
    items = []
    for change in answered:
        m = change.milestone
        e = by_pk[m.engagement_id]
        verdict = "accepted" if change.status == DateChangeStatus.ACCEPTED else "declined"
        items.append(Item("date_request_answered", "soon",
                          f"Your new date for “{m.title}” was {verdict}", _url("milestone", pk=e.pk, milestone_pk=m.pk),
                          "See the answer", e, due_at=change.decided_at, milestone=m, obj_id=change.pk))
    return items


def _commission_items(engagements):
    """Commission reports waiting for the freelancer's answer (accept, or dispute before the
    deadline); read only when one of the engagements is paid by commission."""
    sellers = {e.pk: e for e in engagements if e.pay_terms == PayTerms.COMMISSION}
    if not sellers:
        return []
    waiting = CommissionReport.objects.filter(engagement_id__in=list(sellers), status=CommissionStatus.REPORTED)
    return [Item("commission_reported", "soon", f"Commission for {r.period:%B %Y} on “{sellers[r.engagement_id].title}”"
                 ": accept it or dispute it before it is paid", _url("commission", pk=r.engagement_id),
                 "See the report", sellers[r.engagement_id], due_at=r.dispute_deadline_at, obj_id=r.pk)
            for r in waiting.order_by("dispute_deadline_at", "pk")]


def _sort(items):
    far = datetime.max.replace(tzinfo=ZoneInfo("UTC"))
    return sorted(items, key=lambda i: (SEVERITY_ORDER[i.severity], i.due_at or far, i.title))


def _agenda(engagements, milestones, now, *, days):
    until = now + timedelta(days=days)
    entries = []
    for m in milestones:
        e = m.engagement
        url = _url("milestone", pk=e.pk, milestone_pk=m.pk)
        if m.state in WORKABLE and m.due_at and now <= m.due_at <= until:
            entries.append(AgendaEntry(m.due_at, "milestone_due", f"“{m.title}” due", url, e))
        if m.state == S.SUBMITTED and m.review_deadline_at and now <= m.review_deadline_at <= until:
            entries.append(AgendaEntry(m.review_deadline_at, "review_closes",
                                       f"Review of “{m.title}” closes: released automatically", url, e))
    running = {e.pk: e for e in engagements if e.status in RUNNING}
    for c in CheckIn.objects.filter(engagement_id__in=list(running), status=CheckInStatus.SCHEDULED,
                                    scheduled_at__gte=now, scheduled_at__lte=until):
        e = running[c.engagement_id]
        entries.append(AgendaEntry(c.scheduled_at, "checkin", f"Check-in on “{e.title}”", _url("checkins", pk=e.pk), e))
    for e in running.values():
        if e.status == EngagementStatus.ACTIVE and e.next_update_due_at and now <= e.next_update_due_at <= until:
            entries.append(AgendaEntry(e.next_update_due_at, "update_due", f"Status update due on “{e.title}”",
                                       _url("updates", pk=e.pk), e))
    return sorted(entries, key=lambda a: (a.at, a.title))


def freelancer_front_door(freelancer, *, now=None, days=AGENDA_DAYS):
    """Everything the portal home shows (FrontDoor)."""
    now = now or timezone.now()
    tz = ZoneInfo(freelancer.timezone or "UTC")
    engagements = [row.engagement for row in my_engagements(freelancer, with_todos=False, with_brief=True)]
    current = [e for e in engagements if not e.is_ended]
    briefs = {e.pk: e.waiting_brief for e in current if e.waiting_brief}
    docs = playbook_waiting(freelancer, current)
    milestones = _milestones(current)
    items = []
    for e in current:
        items += _engagement_items(e, now, tz, brief_version=briefs.get(e.pk), docs=docs.get(e.pk))
    for e in (e for e in current if e.waiting_agreement):
        title = f"Read and sign agreement v{e.waiting_agreement} for “{e.title}”"
        items.append(Item("agreement_unsigned", "today", title, _url("agreement", pk=e.pk), "Read and sign", e))
    for m in milestones:
        items += _milestone_items(m, now, tz)
    items += _dispute_items(milestones, now) + _answered_date_items(current, now) + _commission_items(current)
    figures = money.freelancer_money(freelancer, now=now, engagements=engagements)
    cards = {e.pk: Card(e, money=figures.for_engagement(e), update_overdue=bool(
        e.status == EngagementStatus.ACTIVE and e.next_update_due_at and e.next_update_due_at < now)) for e in current}
    for m in milestones:
        card = cards[m.engagement_id]
        if card.next_milestone is None and m.state in WORKABLE:
            card.next_milestone = m
    attention = _sort(items)
    for item in attention:
        cards[item.engagement.pk].items.append(item)
    return FrontDoor(attention=attention, agenda=_agenda(current, milestones, now, days=days),
                     cards=list(cards.values()), finished=[e for e in engagements if e.is_ended], money=figures)


def freelancer_attention(freelancer, *, now=None):
    return freelancer_front_door(freelancer, now=now).attention


def freelancer_agenda(freelancer, *, now=None, days=AGENDA_DAYS):
    return freelancer_front_door(freelancer, now=now, days=days).agenda
