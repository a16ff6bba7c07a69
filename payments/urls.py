from django.urls import path

from .views import (
    charges,
    engagement,
    invoices,
    milestone,
    overview,
    pay_models,
    payment_settings,
    payouts,
    statements,
    timesheets,
)

app_name = "payments"

urlpatterns = [
    path("", overview.overview, name="overview"),
    path("settings/", payment_settings.payment_settings, name="settings"),
    path("charges/<int:pk>/", charges.charge_pay, name="charge_pay"),
    path("statements.csv", statements.workspace_statement, name="workspace_statement"),
    path("engagements/<int:pk>/", engagement.engagement, name="engagement"),
    path("engagements/<int:pk>/ledger/", engagement.ledger, name="ledger"),
    path("engagements/<int:pk>/budget/", engagement.budget, name="budget"),
    path("engagements/<int:pk>/bonus/", engagement.bonus, name="bonus"),
    path("engagements/<int:pk>/payout/", engagement.payout, name="payout"),
    path("engagements/<int:pk>/retainer/", pay_models.retainer, name="retainer"),
    path("engagements/<int:pk>/commission/", pay_models.commission, name="commission"),
    path("engagements/<int:pk>/statement/", statements.engagement_statement, name="engagement_statement"),
    path("freelancers/<int:pk>/statement/", statements.freelancer_statement, name="freelancer_statement"),
    path("freelancers/<int:pk>/money/", statements.freelancer_money_panel, name="freelancer_money"),
    path("freelancers/<int:pk>/payouts/", payouts.payouts_enable, name="payouts_enable"),
    path("milestones/<int:pk>/<slug:action>/", milestone.milestone_action, name="milestone_action"),
    path("invoices/", invoices.invoices, name="invoices"),
    path("invoices/<int:pk>/", invoices.invoice, name="invoice"),
    path("invoices/<int:pk>/pdf/", invoices.invoice_file, {"fmt": "pdf"}, name="invoice_pdf"),
    path("invoices/<int:pk>/csv/", invoices.invoice_file, {"fmt": "csv"}, name="invoice_csv"),
    path("invoices/<int:pk>/xml/", invoices.invoice_file, {"fmt": "xml"}, name="invoice_xml"),
    path("invoices/<int:pk>/credit-note/", invoices.credit_note, name="invoice_credit_note"),
    path("settings/tax-details/", invoices.tax_details, name="tax_details"),
    path("timesheets/<int:pk>/", timesheets.timesheet, name="timesheet"),
    path("timesheets/<int:pk>/<slug:action>/", timesheets.timesheet_action, name="timesheet_action"),
]
