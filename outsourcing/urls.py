from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from freelancers.urls import referee_patterns
from notifications.forms import OutboxPasswordResetForm

from . import views

dashboard_patterns = (
    [
        path("", views.home, name="home"),
        path("attention/", views.attention, name="attention"),
        path("attention/<str:key>/snooze/", views.attention_snooze_view, name="attention_snooze"),
        path("team/", views.team, name="team"),
        path("team/invitations/<int:pk>/resend/", views.invitation_resend, name="invitation_resend"),
        path("team/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
        path("team/members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    ],
    "dashboard",
)

urlpatterns = [
    path("", include(dashboard_patterns)),
    path("accounts/tokens/", include("api.pages")),
    path("accounts/", include("accounts.urls")),
    path("notifications/", include("notifications.urls")),
    path("accounts/workspace/webhooks/", include("notifications.webhooks.urls")),
    path("freelancers/", include("freelancers.urls")),
    path("engagements/", include("engagements.urls")),
    path("payments/", include("payments.urls")),
    path("portal/", include("portal.urls")),
    # The referee's emailed questionnaire link: public, no login.
    path("reference/", include(referee_patterns)),
    path("invite/<str:token>/", views.invitation_open, name="invitation_open"),
    path("invite/", views.invitation_accept, name="invitation_accept"),
    path("password-reset/", auth_views.PasswordResetView.as_view(
        form_class=OutboxPasswordResetForm, template_name="accounts/password_reset.html"),
        name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(
        template_name="accounts/password_reset_done.html"), name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/password_reset_confirm.html"), name="password_reset_confirm"),
    path("password-reset/complete/", auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_complete.html"), name="password_reset_complete"),
    path("api/v1/", include("api.urls")),
    # Replies by email: a mail provider's inbound webhook (its own authentication, no login).
    path("inbound-email/", include("engagements.inbound_urls")),
    # Stripe's events (the payment provider's own signature, no login; 404 off the platform).
    path("webhooks/stripe/", include("payments.webhook_urls")),
    path("healthz/", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
