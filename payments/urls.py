from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("settings/", views.payment_settings, name="settings"),
    path("engagements/<int:pk>/", views.engagement, name="engagement"),
    path("engagements/<int:pk>/ledger/", views.ledger, name="ledger"),
    path("engagements/<int:pk>/budget/", views.budget, name="budget"),
    path("engagements/<int:pk>/bonus/", views.bonus, name="bonus"),
    path("engagements/<int:pk>/payout/", views.payout, name="payout"),
    path("engagements/<int:pk>/statement/", views.engagement_statement, name="engagement_statement"),
    path("freelancers/<int:pk>/statement/", views.freelancer_statement, name="freelancer_statement"),
    path("milestones/<int:pk>/<slug:action>/", views.milestone_action, name="milestone_action"),
    path("timesheets/<int:pk>/", views.timesheet, name="timesheet"),
    path("timesheets/<int:pk>/<slug:action>/", views.timesheet_action, name="timesheet_action"),
]
