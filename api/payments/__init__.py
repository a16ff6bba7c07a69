"""Payments (API.md "Resources"): a milestone's escrow actions, an engagement's balance, ledger,
budget, bonuses and payouts, and the timesheets of hourly engagements. Every view calls the
same services (payments.services) as the web pages and the portal, so the rules, the field
errors (400) and the state conflicts (409) are the same.

Modules: access.py (scoping and the ledger's idempotency key), actions.py (the one shape of a
money action: Idempotency-Key, one service call, the answer), serializers.py, escrow.py
(milestone actions), engagement.py (balance, ledger, budget, bonuses, payouts), timesheets.py,
pay_models.py (retainer periods and commission reports), refund_released.py (money back after a release).
"""

from django.urls import path

from .engagement import (
    EngagementBalanceView,
    EngagementBonusesView,
    EngagementBudgetView,
    EngagementLedgerView,
    EngagementPayoutsView,
)
from .escrow import (
    MilestoneDisputeView,
    MilestoneFundView,
    MilestoneRefundView,
    MilestoneReleaseView,
    MilestoneResolveView,
)
from .pay_models import (
    CommissionReportAccept,
    CommissionReportDispute,
    CommissionReportResolve,
    EngagementCommissionReportList,
    EngagementRetainerPeriodList,
    RetainerPeriodDispute,
    RetainerPeriodResolve,
)
from .refund_released import MilestoneRefundReleasedView, MilestoneRefundRequestView
from .timesheets import (
    EngagementTimesheetList,
    TimeEntryCreate,
    TimeEntryDelete,
    TimesheetApprove,
    TimesheetDetail,
    TimesheetDispute,
    TimesheetSubmit,
)

urlpatterns = [
    path("milestones/<int:pk>/fund/", MilestoneFundView.as_view(), name="milestone-fund"),
    path("milestones/<int:pk>/release/", MilestoneReleaseView.as_view(), name="milestone-release"),
    path("milestones/<int:pk>/refund/", MilestoneRefundView.as_view(), name="milestone-refund"),
    path("milestones/<int:pk>/dispute/", MilestoneDisputeView.as_view(), name="milestone-dispute"),
    path("milestones/<int:pk>/resolve/", MilestoneResolveView.as_view(), name="milestone-resolve"),
    path("milestones/<int:pk>/refund-request/", MilestoneRefundRequestView.as_view(), name="milestone-refund-request"),
    path("milestones/<int:pk>/refund-released/", MilestoneRefundReleasedView.as_view(),
         name="milestone-refund-released"),
    path("engagements/<int:pk>/balance/", EngagementBalanceView.as_view(), name="engagement-balance"),
    path("engagements/<int:pk>/ledger/", EngagementLedgerView.as_view(), name="engagement-ledger"),
    path("engagements/<int:pk>/budget/", EngagementBudgetView.as_view(), name="engagement-budget"),
    path("engagements/<int:pk>/bonuses/", EngagementBonusesView.as_view(), name="engagement-bonuses"),
    path("engagements/<int:pk>/payouts/", EngagementPayoutsView.as_view(), name="engagement-payouts"),
    path("engagements/<int:pk>/timesheets/", EngagementTimesheetList.as_view(), name="engagement-timesheets"),
    path("engagements/<int:pk>/time-entries/", TimeEntryCreate.as_view(), name="engagement-time-entries"),
    path("time-entries/<int:pk>/", TimeEntryDelete.as_view(), name="time-entry"),
    path("timesheets/<int:pk>/", TimesheetDetail.as_view(), name="timesheet"),
    path("timesheets/<int:pk>/submit/", TimesheetSubmit.as_view(), name="timesheet-submit"),
    path("timesheets/<int:pk>/approve/", TimesheetApprove.as_view(), name="timesheet-approve"),
    path("timesheets/<int:pk>/dispute/", TimesheetDispute.as_view(), name="timesheet-dispute"),
    path("engagements/<int:pk>/retainer-periods/", EngagementRetainerPeriodList.as_view(),
         name="engagement-retainer-periods"),
    path("retainer-periods/<int:pk>/dispute/", RetainerPeriodDispute.as_view(), name="retainer-period-dispute"),
    path("retainer-periods/<int:pk>/resolve/", RetainerPeriodResolve.as_view(), name="retainer-period-resolve"),
    path("engagements/<int:pk>/commission-reports/", EngagementCommissionReportList.as_view(),
         name="engagement-commission-reports"),
    path("commission-reports/<int:pk>/dispute/", CommissionReportDispute.as_view(),
         name="commission-report-dispute"),
    path("commission-reports/<int:pk>/accept/", CommissionReportAccept.as_view(), name="commission-report-accept"),
    path("commission-reports/<int:pk>/resolve/", CommissionReportResolve.as_view(),
         name="commission-report-resolve"),
]
