"""What payments tell integrations (notifications.webhooks): recorded payouts, and the retainer
periods' and commission reports' moves, each emitted by the service that makes it, in its
transaction, next to its email. Milestone money events (funded, released, refunded, disputed,
split) are emitted by the milestone transition itself (engagements.webhooks.milestone_moved),
whichever payment action moves it. Ids, amounts and dates: no dispute reasons, no notes."""

from notifications.webhooks.services import webhook_emit


def payout_paid(payout):
    webhook_emit(workspace_id=payout.workspace_id, type="payout.paid", data={"payout": {
        "id": payout.pk, "engagement": payout.engagement_id, "freelancer": payout.freelancer_id,
        "amount": payout.amount, "currency": payout.currency, "method": payout.method,
        "reference": payout.reference, "paid_on": payout.paid_on,
    }})


def retainer_period_event(type_, period, **extra):
    """retainer_period.<funded|released|disputed|resolved|hours_over> for the period as moved."""
    webhook_emit(workspace_id=period.engagement.workspace_id, type=type_, data={"retainer_period": {
        "id": period.pk, "engagement": period.engagement_id, "starts_on": period.starts_on,
        "ends_on": period.ends_on, "amount": period.amount, "currency": period.currency,
        "hours_included": period.hours_included, "state": period.state, "funded_at": period.funded_at,
        "closed_at": period.closed_at, "disputed_at": period.disputed_at, "dispute_side": period.dispute_side,
        "release_amount": period.release_amount, "refund_amount": period.refund_amount,
        "hours_over_at": period.hours_over_at, **extra,
    }})


def commission_report_event(type_, report, **extra):
    """commission_report.<created|accepted|disputed|released> for the report as moved."""
    webhook_emit(workspace_id=report.engagement.workspace_id, type=type_, data={"commission_report": {
        "id": report.pk, "engagement": report.engagement_id, "period": report.period,
        "base_amount": report.base_amount, "percent": str(report.percent),
        "commission_amount": report.commission_amount, "currency": report.currency, "status": report.status,
        "reported_at": report.reported_at, "dispute_deadline_at": report.dispute_deadline_at,
        "disputed_at": report.disputed_at, "released_at": report.released_at, **extra,
    }})
