"""What the engagement's money page shows besides the figures: its milestones with their escrow,
open dispute and review clock, its ledger, timesheets, payouts, budget changes and disputes, and
the payment settings (the review window) that apply."""

from django.db.models import Count, Prefetch, Sum

from engagements.models import MilestoneState

from ..models import Dispute, Entry, PaymentSettings, ReviewClock, Transaction
from .balances import escrow_by_milestone


def payment_settings(workspace):
    """The workspace's payment settings: its saved row, or (never saved) the defaults, unsaved."""
    return PaymentSettings.objects.filter(workspace=workspace).first() or PaymentSettings(workspace=workspace)


def review_window(workspace):
    return payment_settings(workspace).review_window_days


def engagement_milestones(engagement):
    """The engagement's milestones with what is in escrow for each, its open dispute and the
    current review clock, for the engagement money page."""
    held = escrow_by_milestone(engagement)
    milestones = list(
        engagement.milestones.prefetch_related(
            Prefetch("disputes", queryset=Dispute.objects.filter(resolved_at__isnull=True), to_attr="open_disputes"),
            Prefetch("review_clocks", queryset=ReviewClock.objects.order_by("-submitted_at"), to_attr="clocks"),
        )
    )
    for m in milestones:
        m.escrowed = held.get(m.pk, 0)
        m.open_dispute = m.open_disputes[0] if m.open_disputes else None
        m.clock = next((c for c in m.clocks if c.submitted_at == m.state_changed_at), None) \
            if m.state == MilestoneState.SUBMITTED else None
    return milestones


def engagement_ledger(engagement):
    return (
        Transaction.objects.filter(engagement=engagement)
        .select_related("milestone", "actor")
        .prefetch_related(Prefetch("entries", queryset=Entry.objects.select_related("account__freelancer",
                                                                                     "account__engagement")))
        .order_by("created_at", "id")
    )


def current_review_clock(milestone):
    """The review clock of the milestone's current submission (None unless it is submitted)."""
    if milestone.state != MilestoneState.SUBMITTED:
        return None
    return ReviewClock.objects.filter(milestone=milestone, submitted_at=milestone.state_changed_at).first()


def timesheets_for(engagement):
    return list(engagement.timesheets.annotate(total_minutes=Sum("entries__minutes"),
                                               entry_count=Count("entries")).order_by("-week_start"))


def timesheet_minutes(timesheet):
    """The minutes logged on the week so far."""
    return timesheet.entries.aggregate(total=Sum("minutes"))["total"] or 0


def engagement_payouts(engagement, limit=20):
    return engagement.payouts.select_related("created_by")[:limit]


def engagement_budget_changes(engagement, limit=None):
    return engagement.budget_changes.select_related("changed_by")[:limit]


def engagement_disputes(engagement, limit=20):
    return Dispute.objects.filter(milestone__engagement=engagement).select_related("milestone", "raised_by")[:limit]


def open_dispute(milestone):
    return Dispute.objects.filter(milestone=milestone, resolved_at__isnull=True).first()
