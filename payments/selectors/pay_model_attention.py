"""The pay models' rows of the owner's "needs attention" list (merged by attention.py): a
commission report the freelancer disputed, a retainer period on hold by a dispute, a running
retainer period whose hours passed the hours included. A handled row drops out of its query
(corrected, resolved, settled, released), so its item goes by itself; each kind is one query."""

from django.urls import reverse

from accounts.attention import AttentionItem, attention_rows, span, workspace_param

from ..models import CommissionReport, CommissionStatus, RetainerPeriod, RetainerPeriodState
from ..money import format_money


def commission_disputes(workspace, now, window):
    reports = (CommissionReport.objects.filter(engagement__workspace=workspace_param(workspace),
                                               status=CommissionStatus.DISPUTED).select_related("engagement__freelancer"))
    reports, total = attention_rows(reports, window, kind="commission_disputed", order=("disputed_at", "pk"))
    items = [AttentionItem(
        key=f"commission_disputed:{r.pk}", kind="commission_disputed", severity="overdue",
        title=f"Commission report disputed: {r.engagement.freelancer.name} disputed your report for "
              f"{r.period:%B %Y} on {r.engagement.title} ({format_money(r.commission_amount, r.currency)}) "
              f"{span(now - r.disputed_at)} ago: “{r.dispute_reason[:120]}”.",
        url=reverse("payments:commission", kwargs={"pk": r.engagement_id}) + f"#report-{r.pk}",
        action="Correct or resolve", due_at=r.disputed_at, engagement=r.engagement_id,
        freelancer=r.engagement.freelancer_id) for r in reports]
    return items, total


def retainer_disputes(workspace, now, window):
    periods = (RetainerPeriod.objects.filter(engagement__workspace=workspace_param(workspace),
                                             state=RetainerPeriodState.DISPUTED)
               .select_related("engagement__freelancer"))
    periods, total = attention_rows(periods, window, kind="retainer_disputed", order=("disputed_at", "pk"))
    items = [AttentionItem(
        key=f"retainer_disputed:{p.pk}", kind="retainer_disputed", severity="overdue",
        title=f"The retainer for {p.starts_on:%-d %b} – {p.ends_on:%-d %b %Y} with {p.engagement.freelancer.name} "
              f"({p.engagement.title}) has been disputed for {span(now - p.disputed_at)}; "
              f"{format_money(p.amount, p.currency)} is held until you settle it.",
        url=reverse("payments:retainer", kwargs={"pk": p.engagement_id}) + f"#period-{p.pk}",
        action="Settle the dispute", due_at=p.disputed_at, engagement=p.engagement_id,
        freelancer=p.engagement.freelancer_id) for p in periods]
    return items, total


def retainer_hours_over(workspace, now, window):
    periods = (RetainerPeriod.objects.filter(engagement__workspace=workspace_param(workspace),
                                             state=RetainerPeriodState.FUNDED,
                                             hours_over_at__isnull=False).select_related("engagement__freelancer"))
    periods, total = attention_rows(periods, window, kind="retainer_hours_over", order=("hours_over_at", "pk"))
    items = [AttentionItem(
        key=f"retainer_hours_over:{p.pk}", kind="retainer_hours_over", severity="soon",
        title=f"{p.engagement.freelancer.name} has used more than the {p.hours_included} h included in the retainer "
              f"for {p.starts_on:%-d %b} – {p.ends_on:%-d %b %Y} ({p.engagement.title}).",
        url=reverse("payments:retainer", kwargs={"pk": p.engagement_id}) + f"#period-{p.pk}",
        action="See the hours", due_at=p.hours_over_at, engagement=p.engagement_id,
        freelancer=p.engagement.freelancer_id) for p in periods]
    return items, total
