"""The payment rail's endpoints (API.md "Money that moves"), mounted before the freelancers
domain (api/urls.py), whose catch-all answers any other `/freelancers/{id}/...` with 404."""

from django.urls import path

from .payout_accounts import FreelancerPayoutAccountView, MyPayoutAccountView
from .provider import PaymentsProviderView
from .provider_activity import EngagementProviderActivityView
from .reconciliation import ReconciliationView

urlpatterns = [
    path("payments/provider/", PaymentsProviderView.as_view(), name="payments-provider"),
    path("freelancers/<int:pk>/payout-account/", FreelancerPayoutAccountView.as_view(),
         name="freelancer-payout-account"),
    path("me/payout-account/", MyPayoutAccountView.as_view(), name="me-payout-account"),
    path("engagements/<int:pk>/provider-activity/", EngagementProviderActivityView.as_view(),
         name="engagement-provider-activity"),
    path("reconciliation/", ReconciliationView.as_view(), name="reconciliation"),
]
