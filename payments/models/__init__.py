"""Money: an append-only double-entry ledger, and the records that hang from it, one module per
aggregate:

- ledger: `Account`, `Transaction` and `Entry`, and what the sign of an entry means.
- totals: `LedgerTotal`, the entries summed per engagement and kind, kept with every posting;
  `CommittedTotal`, an engagement's committed spend (what budgets compare), kept by the same statements;
  `MonthTotal`, what an engagement released and paid out per slot of time (the month figures).
- escrow: disputes and review clocks of a milestone's escrowed money.
- budget: recorded budget changes of an engagement.
- timesheet: weekly timesheets of hourly engagements and their time entries.
- payout: money sent to a freelancer.
- payment_settings: a workspace's payment rules (the review window).
- retainer: the periods of a retainer engagement (funded at the start, released at the end).
- commission: the owner's monthly reports of a commission engagement.
- invoice: tax details, invoices and credit notes (one per money transaction), their number series.
- provider: what the payment provider holds for us (payout accounts), what we asked of it
  (intents, written before each call) and what it told us (events).
- reconciliation: the nightly matching of Stripe's balance transactions to our intents.
- refund_released: money given back after a release (the owner's ask, the freelancer's refund).

The rest (disputes, review clocks, budget changes, timesheets, payouts) are ordinary rows that
point at the ledger transactions they caused. Every name is re-exported here, so
`from payments.models import X` works for all of them.
"""

# isort: off
# In dependency order, the order the models register in: the settings, the ledger, then what
# points at its transactions.
from .payment_settings import (
    DEFAULT_REVIEW_WINDOW_DAYS,
    MAX_REVIEW_WINDOW_DAYS,
    MIN_REVIEW_WINDOW_DAYS,
    PaymentSettings,
)
from .ledger import Account, AccountKind, Entry, Transaction, TransactionKind
from .totals import CommittedTotal, LedgerTotal, MonthTotal
from .escrow import MAX_EXTENSION_DAYS, Dispute, DisputeOutcome, DisputeSide, ReviewClock
from .budget import BudgetChange
from .timesheet import (
    MAX_APPROVAL_EXTENSION_DAYS,
    TIMESHEET_EDITABLE_STATES,
    TIMESHEET_TRANSITIONS,
    TimeEntry,
    Timesheet,
    TimesheetState,
    amount_for,
    week_start_of,
)
from .payout import Payout
from .retainer import (
    RETAINER_FINAL_STATES,
    RETAINER_TRANSITIONS,
    RetainerPeriod,
    RetainerPeriodState,
    add_months,
    retainer_period_dates,
)
from .commission import (
    COMMISSION_LIVE_STATES,
    COMMISSION_TRANSITIONS,
    CommissionReport,
    CommissionStatus,
    commission_for,
)
from .invoice import MAX_TAX_RATE_BP, Invoice, InvoiceCounter, InvoiceKind, InvoiceLine, TaxDetails
from .provider import (
    INTENT_OPEN,
    INTENT_RANK,
    IntentKind,
    IntentStatus,
    PayoutAccount,
    PayoutAccountStatus,
    ProviderEvent,
    ProviderIntent,
)
from .provider_charge import ChargePurpose, ChargeStatus, PaymentCustomer, ProviderCharge
from .reconciliation import ReconciliationException, ReconciliationRun
from .refund_released import (
    RefundRequest,
    RefundRequestStatus,
    ReleasedRefund,
    ReleasedRefundStatus,
)
# isort: on

__all__ = [
    "RefundRequest",
    "RefundRequestStatus",
    "ReleasedRefund",
    "ReleasedRefundStatus",
    "ChargePurpose",
    "ChargeStatus",
    "PaymentCustomer",
    "ProviderCharge",
    "COMMISSION_LIVE_STATES",
    "COMMISSION_TRANSITIONS",
    "RETAINER_FINAL_STATES",
    "RETAINER_TRANSITIONS",
    "CommissionReport",
    "CommissionStatus",
    "RetainerPeriod",
    "RetainerPeriodState",
    "add_months",
    "commission_for",
    "retainer_period_dates",
    "DEFAULT_REVIEW_WINDOW_DAYS",
    "INTENT_OPEN",
    "INTENT_RANK",
    "MAX_APPROVAL_EXTENSION_DAYS",
    "MAX_EXTENSION_DAYS",
    "MAX_TAX_RATE_BP",
    "MAX_REVIEW_WINDOW_DAYS",
    "MIN_REVIEW_WINDOW_DAYS",
    "TIMESHEET_EDITABLE_STATES",
    "TIMESHEET_TRANSITIONS",
    "Account",
    "AccountKind",
    "BudgetChange",
    "Dispute",
    "DisputeOutcome",
    "DisputeSide",
    "Entry",
    "Invoice",
    "InvoiceCounter",
    "InvoiceKind",
    "InvoiceLine",
    "IntentKind",
    "IntentStatus",
    "LedgerTotal",
    "MonthTotal",
    "CommittedTotal",
    "PaymentSettings",
    "Payout",
    "PayoutAccount",
    "PayoutAccountStatus",
    "ProviderEvent",
    "ProviderIntent",
    "ReconciliationException",
    "ReconciliationRun",
    "ReviewClock",
    "TaxDetails",
    "TimeEntry",
    "Timesheet",
    "TimesheetState",
    "Transaction",
    "TransactionKind",
    "amount_for",
    "week_start_of",
]
