"""The payments actions, in one place for the layers above (portal, API, dashboard).

They live in topic modules: `escrow` (milestones, reviews, budget), `timesheets`, `payouts`
(bonuses and payouts). Each is keyword-only, checks who may act, and runs in one database
transaction; the money-moving ones take an idempotency key.
"""

from .escrow import (
    auto_release_due,
    engagement_budget_change,
    milestone_auto_release,
    milestone_dispute,
    milestone_fund,
    milestone_refund,
    milestone_release,
    milestone_resolve,
    milestone_review_extend,
    milestone_submit_for_review,
    review_clock_start,
    review_deadline_for,
    review_deadlines_sync,
)
from .payouts import bonus_pay, payout_record
from .timesheets import (
    timesheet_approval_extend,
    timesheet_approve,
    timesheet_dispute,
    timesheet_entry_add,
    timesheet_entry_delete,
    timesheet_for_week,
    timesheet_submit,
    timesheets_auto_approve,
)

__all__ = [
    "auto_release_due",
    "bonus_pay",
    "engagement_budget_change",
    "milestone_auto_release",
    "milestone_dispute",
    "milestone_fund",
    "milestone_refund",
    "milestone_release",
    "milestone_resolve",
    "milestone_review_extend",
    "milestone_submit_for_review",
    "payments_sweep",
    "payout_record",
    "review_clock_start",
    "review_deadline_for",
    "review_deadlines_sync",
    "timesheet_approval_extend",
    "timesheet_approve",
    "timesheet_dispute",
    "timesheet_entry_add",
    "timesheet_entry_delete",
    "timesheet_for_week",
    "timesheet_submit",
    "timesheets_auto_approve",
]


def payments_sweep(*, now=None):
    """What beat runs every minute: automatic releases of unreviewed milestones and automatic
    approvals of unreviewed timesheets. Safe to run twice or concurrently."""
    result = auto_release_due(now=now)
    result["timesheets_approved"] = timesheets_auto_approve(now=now)
    return result
