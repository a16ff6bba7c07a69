"""Reads shared by pages, the API, the portal and the services: balances, budget figures, the
overview, statements. Every figure is a sum of ledger entries, computed when asked.

- balances: budget figures, what is in escrow (per milestone) and owed.
- engagement: the engagement money page's milestones, ledger and timesheets; review clocks.
- overview: the workspace's money overview.
- statements: engagement and freelancer statements with running balances.
- pay_models: retainer periods with their hours used, commission reports.
- freelancer_money: the freelancer's money in four disjoint states, per currency and engagement.
- invoices: what a transaction invoices, payments not yet invoiced, invoice lists, what is left to credit.
- provider: the payment provider's rows (a payment in progress, payout accounts, activity).
- refund_released: what a released milestone can still give back, the owner's ask, the refunds.

Every name is re-exported here, so `from payments import selectors` reaches all of them.
"""

from .balances import (
    ALERT_PERCENT,
    HELD_STATES,
    BudgetFigures,
    account_balance,
    budget_figures,
    budget_figures_for,
    committed_spend,
    escrow_by_milestone,
    escrowed_for,
    escrowed_for_milestones,
    owed_on,
)
from .engagement import (
    current_review_clock,
    engagement_budget_changes,
    engagement_disputes,
    engagement_ledger,
    engagement_milestones,
    engagement_payouts,
    open_dispute,
    payment_settings,
    review_window,
    timesheet_minutes,
    timesheets_for,
)
from .freelancer_money import (
    CurrencyMoney,
    EngagementMoney,
    FreelancerMoney,
    freelancer_escrow_lines,
    freelancer_escrow_lines_latest,
    freelancer_money,
)
from .invoices import (
    INVOICED_KINDS,
    creditable,
    credited_total,
    invoice_detail,
    invoice_lines_for,
    invoice_list,
    uninvoiced,
    uninvoiced_transactions,
)
from .overview import Overview, ReviewDue, workspace_overview
from .pay_models import (
    commission_reports_for,
    hours_over_candidates,
    hours_used,
    retainer_periods_for,
    with_hours_used,
)
from .provider import PAYMENT_LABELS, latest_reconciliation, milestone_payments, payout_account_of, provider_activity
from .provider_charges import asked_not_posted, open_charges, payment_customer
from .refund_released import RefundFigures, open_refund_request, released_refund_figures, released_refunds_of
from .statements import (
    Statement,
    StatementLine,
    engagement_statement,
    freelancer_owed_by_engagement,
    freelancer_statement,
    freelancer_statement_latest,
    workspace_statement,
)

__all__ = [
    "RefundFigures",
    "open_refund_request",
    "released_refund_figures",
    "released_refunds_of",
    "commission_reports_for",
    "hours_over_candidates",
    "hours_used",
    "retainer_periods_for",
    "with_hours_used",
    "PAYMENT_LABELS",
    "ALERT_PERCENT",
    "INVOICED_KINDS",
    "creditable",
    "credited_total",
    "invoice_detail",
    "invoice_lines_for",
    "invoice_list",
    "uninvoiced",
    "uninvoiced_transactions",
    "HELD_STATES",
    "BudgetFigures",
    "CurrencyMoney",
    "EngagementMoney",
    "FreelancerMoney",
    "Overview",
    "ReviewDue",
    "Statement",
    "StatementLine",
    "account_balance",
    "budget_figures",
    "budget_figures_for",
    "committed_spend",
    "current_review_clock",
    "engagement_budget_changes",
    "engagement_disputes",
    "engagement_ledger",
    "engagement_milestones",
    "engagement_payouts",
    "engagement_statement",
    "escrow_by_milestone",
    "escrowed_for",
    "escrowed_for_milestones",
    "freelancer_escrow_lines",
    "freelancer_escrow_lines_latest",
    "freelancer_money",
    "freelancer_owed_by_engagement",
    "freelancer_statement",
    "freelancer_statement_latest",
    "workspace_statement",
    "open_dispute",
    "owed_on",
    "payment_settings",
    "latest_reconciliation",
    "milestone_payments",
    "payout_account_of",
    "provider_activity",
    "asked_not_posted",
    "open_charges",
    "payment_customer",
    "review_window",
    "timesheet_minutes",
    "timesheets_for",
    "workspace_overview",
]
