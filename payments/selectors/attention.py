"""Money's part of the owner's "needs attention" list — open disputes and budgets past 80 % —
and the whole list: payments sits above engagements and freelancers, so the merge of every
app's kinds, the user's snoozes and the order (most urgent first) live here, for the home page
and `GET /api/v1/attention/` alike."""

from django.urls import reverse

from accounts.attention import AttentionItem, span
from engagements.models import RUNNING_STATUSES, Engagement
from engagements.selectors.attention import engagement_attention, snoozed_keys
from freelancers.attention import freelancer_attention

from ..models import Dispute
from ..money import format_money
from .balances import ALERT_PERCENT, budget_figures_for


def owner_attention(workspace, *, user, now):
    """Every item that needs the user now, most urgent first, without the ones they snoozed."""
    items = [*engagement_attention(workspace, now=now), *freelancer_attention(workspace, now=now),
             *money_attention(workspace, now=now)]
    hidden = snoozed_keys(user=user, workspace=workspace, now=now)
    return sorted((i for i in items if i.key not in hidden), key=AttentionItem.sort_key)


def money_attention(workspace, *, now):
    return [*_disputes(workspace, now), *_budgets(workspace)]


def _disputes(workspace, now):
    disputes = (Dispute.objects.filter(milestone__engagement__workspace=workspace, resolved_at__isnull=True)
                .select_related("milestone__engagement__freelancer"))
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
    return items


def _budgets(workspace):
    engagements = list(Engagement.objects.filter(workspace=workspace, status__in=RUNNING_STATUSES)
                       .select_related("freelancer"))
    figures = budget_figures_for(engagements)
    items = []
    for e in engagements:
        f = figures[e.pk]
        if not f.alert:
            continue
        items.append(AttentionItem(
            key=f"budget_alert:{e.pk}", kind="budget_alert", severity="soon",
            title=f"“{e.title}” with {e.freelancer.name} has committed {f.percent_committed} % of its budget "
                  f"({format_money(f.committed, e.currency)} of {format_money(f.budget, e.currency)}; "
                  f"alert above {ALERT_PERCENT} %).",
            url=reverse("payments:engagement", kwargs={"pk": e.pk}), action="See the money",
            engagement=e.pk, freelancer=e.freelancer_id))
    return items
