"""The payments actions, in one place for the layers above (portal, API, dashboard).

They live in one module per aggregate: `escrow` (fund, release, refund, the review clock, and
the submit and request-changes paths above engagements), `disputes` (dispute and resolve),
`budget` (budget changes once money moved), `timesheets`, `payouts` (bonuses and payouts),
`payment_settings` (the review window), `retainer` and `commission` (the pay models),
`invoices` (invoices and credit notes); the payment provider's: `payout_accounts`,
`provider_funding` (Checkout), `provider_moves` (transfers and refunds after the ledger),
`provider_events` (webhooks in), `provider_charges` (off-session charges of the owner's saved
method, `provider_customers`), on `provider_intents` (an intent row before every call);
`ledger` holds the three primitives they all stand on (accounts, `post`, `run_idempotent`).
Each action is keyword-only, checks who may act, and runs in one database transaction; the
money-moving ones take an idempotency key. The beat sweeps that call them
(automatic release and approval, review warnings) are in `payments.reminders`.
"""

from .budget import engagement_budget_change
from .commission import (
    commission_report_accept,
    commission_report_auto_release,
    commission_report_create,
    commission_report_dispute,
    commission_report_resolve,
)
from .disputes import milestone_dispute, milestone_resolve
from .escrow import (
    milestone_auto_release,
    milestone_fund,
    milestone_refund,
    milestone_release,
    milestone_request_changes,
    milestone_review_extend,
    milestone_submit_for_review,
    review_clock_start,
    review_deadline_for,
)
from .payment_settings import payment_settings_update
from .payout_accounts import payout_account_enable, payout_account_link
from .payouts import bonus_pay, payout_record
from .provider_charges import charge_checkout_start
from .provider_funding import milestone_checkout_start
from .refund_released import refund_request, released_refund
from .retainer import (
    retainer_hours_over_flag,
    retainer_period_dispute,
    retainer_period_fund,
    retainer_period_release,
    retainer_period_resolve,
)
from .timesheets import (
    timesheet_approval_extend,
    timesheet_approve,
    timesheet_auto_approve,
    timesheet_dispute,
    timesheet_entry_add,
    timesheet_entry_delete,
    timesheet_entry_log,
    timesheet_for_week,
    timesheet_submit,
)

__all__ = [
    "charge_checkout_start",
    "commission_report_accept",
    "commission_report_auto_release",
    "commission_report_create",
    "commission_report_dispute",
    "commission_report_resolve",
    "retainer_hours_over_flag",
    "retainer_period_dispute",
    "retainer_period_fund",
    "retainer_period_release",
    "retainer_period_resolve",
    "bonus_pay",
    "engagement_budget_change",
    "milestone_auto_release",
    "milestone_checkout_start",
    "milestone_dispute",
    "milestone_fund",
    "milestone_refund",
    "milestone_release",
    "milestone_request_changes",
    "milestone_resolve",
    "milestone_review_extend",
    "milestone_submit_for_review",
    "payment_settings_update",
    "payout_account_enable",
    "payout_account_link",
    "payout_record",
    "refund_request",
    "released_refund",
    "review_clock_start",
    "review_deadline_for",
    "timesheet_approval_extend",
    "timesheet_approve",
    "timesheet_auto_approve",
    "timesheet_dispute",
    "timesheet_entry_add",
    "timesheet_entry_delete",
    "timesheet_entry_log",
    "timesheet_for_week",
    "timesheet_submit",
]
