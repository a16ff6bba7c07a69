from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("profile/calendar/", views.calendar_feed, name="calendar_feed"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("workspace/switch/", views.switch_workspace, name="switch_workspace"),
    path("workspace/settings/", views.workspace_settings, name="workspace_settings"),
    path("workspace/audit-log/", views.audit_log, name="audit_log"),
]
