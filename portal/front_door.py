"""The freelancer's portal home (FrontDoor): what needs them now, the next days' agenda, a card per
current engagement a page at a time, the latest finished engagements, and their money (payments'
`freelancer_money`).

A fixed number of queries however many engagements, each reading only what the page shows: the
attention and agenda sources and the finished engagements in one statement (`accounts.together`,
each list cut and counted in SQL), the current engagements' count and one page of them (with
their next milestone and unread messages as subqueries), and the money figures (summed in SQL).
"""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Case, Count, F, IntegerField, OuterRef, Subquery, Value, When, Window
from django.db.models.functions import Coalesce

from accounts.together import read_together
from engagements.models import EngagementStatus, Milestone
from engagements.models.engagement import ENDED_STATUSES
from engagements.selectors import with_unread
from payments import selectors as money

from .access import visible_engagements
from .attention import AGENDA_DAYS, agenda_from, agenda_sources, attention_from, attention_sources, clock_for
from .selectors import RUNNING, WORKABLE

_LIST_ORDER = Case(When(status=EngagementStatus.OFFERED, then=Value(0)), When(status=EngagementStatus.ACTIVE,
                   then=Value(1)), When(status=EngagementStatus.PAUSED, then=Value(2)), default=Value(3),
                   output_field=IntegerField())


@dataclass
class Card:
    """An engagement as the home shows it."""

    engagement: object
    next_milestone: object = None
    money: object = None
    update_overdue: bool = False


@dataclass
class FrontDoor:
    attention: list  # the most urgent `shown` items
    attention_total: int
    agenda: list  # the soonest `shown` entries
    agenda_total: int
    cards: object  # a Page of Card
    finished: list  # the latest `finished_shown` finished engagements
    finished_total: int
    money: object


def current_engagements(freelancer):
    """The freelancer's current engagements in the list's order: offered first, then active, then
    paused, the latest offered first."""
    return (visible_engagements(freelancer).exclude(status__in=ENDED_STATUSES)
            .order_by(_LIST_ORDER, Coalesce("offered_at", "created_at").desc(), "-created_at", "pk"))


def _with_next_milestone(qs):
    """Each running engagement's next milestone to work on (soonest deadline first), as subqueries."""
    nxt = Milestone.objects.filter(engagement=OuterRef("pk"), state__in=list(WORKABLE)).order_by(
        F("due_at").asc(nulls_last=True), "position", "pk")
    running = {"status__in": list(RUNNING)}
    return qs.annotate(next_pk=Case(When(**running, then=Subquery(nxt.values("pk")[:1]))),
                       next_title=Case(When(**running, then=Subquery(nxt.values("title")[:1]))),
                       next_due_at=Case(When(**running, then=Subquery(nxt.values("due_at")[:1]))))


def _card(e, figures, now):
    nxt = Milestone(pk=e.next_pk, engagement_id=e.pk, title=e.next_title, due_at=e.next_due_at) if e.next_pk else None
    overdue = bool(e.status == EngagementStatus.ACTIVE and e.next_update_due_at and e.next_update_due_at < now)
    return Card(e, next_milestone=nxt, money=figures.for_engagement(e), update_overdue=overdue)


def _cards(freelancer, figures, now, *, page, per_page):
    qs = _with_next_milestone(current_engagements(freelancer).select_related("workspace"))
    if freelancer.user_id:
        qs = with_unread(qs, freelancer.user)
    cards = Paginator(qs, per_page).get_page(page)
    cards.object_list = [_card(e, figures, now) for e in cards.object_list]
    return cards


def _finished(freelancer, shown):
    return (visible_engagements(freelancer).filter(status__in=ENDED_STATUSES)
            .annotate(_in_all=Window(Count("pk")))
            .order_by(F("ended_at").desc(nulls_last=True), "-pk")[:shown])


def freelancer_front_door(freelancer, *, now=None, days=AGENDA_DAYS, shown=15, agenda_shown=30, page=None,
                          per_page=20, finished_shown=20):
    """Everything the portal home shows (FrontDoor), `page` being the page of engagement cards."""
    clock = clock_for(freelancer, now)
    attention = attention_sources(freelancer, clock, shown)
    agenda = agenda_sources(freelancer, clock, days, agenda_shown)
    *rows, finished = read_together([*attention, *agenda, _finished(freelancer, finished_shown)])
    items, items_total = attention_from(rows[:len(attention)], clock, shown)
    entries, entries_total = agenda_from(rows[len(attention):], agenda_shown)
    figures = money.freelancer_money(freelancer, now=clock.now)
    return FrontDoor(attention=items, attention_total=items_total, agenda=entries, agenda_total=entries_total,
                     cards=_cards(freelancer, figures, clock.now, page=page, per_page=per_page),
                     finished=finished, finished_total=finished[0]._in_all if finished else 0, money=figures)
