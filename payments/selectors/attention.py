"""Money's part of the owner's "needs attention" list — open disputes, budgets past 80 %, and the
pay models' disputed reports and periods and hours over (pay_model_attention.py) —
and the whole list: payments sits above engagements and freelancers, so the merge of every
app's kinds, the user's snoozes and the order (most urgent first) live here, for the home page
and `GET /api/v1/attention/` alike.

The list is read in proportion to what is shown: every kind's query leaves out the snoozed
keys, orders by urgency and reads at most `offset + limit` rows, with the count of all its items
beside them (accounts.attention.attention_rows); the merge keeps the page asked for."""

from functools import partial

from django.urls import reverse

from accounts.attention import (
    AttentionItem,
    AttentionWindow,
    attention_read,
    attention_rows,
    attention_together,
    key_expr,
    span,
    statement_values,
    workspace_param,
)
from accounts.paging import ReadPages, count_of
from engagements.models import RUNNING_STATUSES, Engagement
from engagements.selectors.attention import engagement_attention, local_day, snoozed_keys
from freelancers.attention import freelancer_attention

from ..money import format_money
from . import pay_model_attention
from .balances import ALERT_PERCENT, committed_by_engagement, percent_of
from .disputes import open_disputes_in
from .provider_charges import charge_failures


def owner_attention(workspace, *, user, now):
    """Every item that needs the user now, most urgent first, without the ones they snoozed."""
    return owner_attention_page(workspace, user=user, now=now)[0]


def owner_attention_page(workspace, *, user, now, offset=0, limit=None):
    """(items offset..offset+limit of the list above, how many items the list has in all)."""
    # The snoozes as a subquery of every kind's query, not a query of their own.
    hidden = snoozed_keys(user=user, workspace=workspace, now=now, query=True)
    window = AttentionWindow(limit=None if limit is None else offset + limit, hidden=hidden)
    # The statement's shape depends only on how many rows each kind reads: kept compiled per shape.
    items, total = _merged(workspace, now, window, key=("owner_attention", window.limit),
                           values=statement_values(workspace, user=user, now=now, day=local_day(workspace, now)))
    return items[offset:None if limit is None else offset + limit], total


def owner_attention_item(workspace, *, user, now, key):
    """The item named `key` if it needs the user now and is not snoozed, else None (one kind read)."""
    hidden = frozenset(snoozed_keys(user=user, workspace=workspace, now=now))
    if key in hidden:
        return None
    items, _ = _merged(workspace, now, AttentionWindow(limit=1, only=key))
    return next((i for i in items if i.key == key), None)


def _merged(workspace, now, window, *, key=None, values=None):
    """Every app's kinds, their queries read in one statement (accounts.attention.attention_together)."""
    def read():
        items, total = [], 0
        for part in (engagement_attention(workspace, now=now, window=window),
                     freelancer_attention(workspace, now=now, window=window),
                     money_attention(workspace, now=now, window=window)):
            items += part[0]
            total += part[1]
        return sorted(items, key=AttentionItem.sort_key), total

    return attention_together(read, key=key, values=values)


def money_attention(workspace, *, now, window=None):
    window = window or AttentionWindow()
    items, total = [], 0
    for kind, read in (("dispute_open", _disputes), ("budget_alert", _budgets),
                       ("commission_disputed", pay_model_attention.commission_disputes),
                       ("retainer_disputed", pay_model_attention.retainer_disputes),
                       ("retainer_hours_over", pay_model_attention.retainer_hours_over),
                       ("payment_failed", charge_failures)):
        if window.only and not window.only.startswith(f"{kind}:"):
            continue
        kind_items, kind_total = read(workspace, now, window)
        items += kind_items
        total += kind_total
    return items, total


def _disputes(workspace, now, window):
    disputes = open_disputes_in(workspace_param(workspace)).select_related("milestone__engagement__freelancer")
    disputes, total = attention_rows(disputes, window, kind="dispute_open", order=("opened_at", "pk"))
    items = []
    for d in disputes:
        m, e = d.milestone, d.milestone.engagement
        items.append(AttentionItem(
            key=f"dispute_open:{d.pk}", kind="dispute_open", severity="overdue",
            title=f"“{m.title}” with {e.freelancer.name} ({e.title}) has been disputed for {span(now - d.opened_at)}; "
                  f"{format_money(d.escrowed, d.currency)} is frozen until you resolve it.",
            url=reverse("payments:milestone_action", kwargs={"pk": m.pk, "action": "resolve"}),
            action="Resolve the dispute", due_at=d.opened_at, engagement=e.pk, freelancer=e.freelancer_id,
            milestone=m.pk))
    return items, total


def _budgets(workspace, now, window):
    """The alert is a filter in SQL (balances.committed_by_engagement), and each row carries what
    its sentence says: one query."""
    running = Engagement.objects.filter(workspace=workspace_param(workspace), status__in=RUNNING_STATUSES)
    alerts = committed_by_engagement(running, fields=(
        "engagement__title", "engagement__currency", "engagement__freelancer", "engagement__freelancer__name",
    )).filter(alert=True)
    if window.hides or window.only:
        alerts = alerts.annotate(_key=key_expr("budget_alert", pk="engagement"))
        alerts = alerts.exclude(_key__in=window.hidden).filter(**{"_key": window.only} if window.only else {})
    alerts = alerts.annotate(_total=count_of(alerts)).order_by("engagement")
    alerts = attention_read(alerts[:window.limit] if window.limit is not None else alerts)
    items = []
    for row in alerts:
        pk, budget, currency, committed = (row["engagement"], row["engagement__budget"], row["engagement__currency"],
                                           int(row["committed"]))
        items.append(AttentionItem(
            key=f"budget_alert:{pk}", kind="budget_alert", severity="soon",
            title=f"“{row['engagement__title']}” with {row['engagement__freelancer__name']} has committed "
                  f"{percent_of(committed, budget)} % of its budget ({format_money(committed, currency)} of "
                  f"{format_money(budget, currency)}; alert above {ALERT_PERCENT} %).",
            url=reverse("payments:engagement", kwargs={"pk": pk}), action="See the money",
            engagement=pk, freelancer=row["engagement__freelancer"]))
    return items, alerts[0]["_total"] if alerts else 0


class AttentionPages(ReadPages):
    """The user's list a page at a time (accounts.paging): the page asked for and the count from one read."""

    def __init__(self, workspace, *, user, now, page=1, per_page=25, transform=None):
        super().__init__(partial(owner_attention_page, workspace, user=user, now=now), page=page, per_page=per_page,
                         transform=transform)
