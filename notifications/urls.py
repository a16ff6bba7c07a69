from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("inbox/", views.inbox_list, name="inbox"),
    path("inbox/<int:pk>/", views.notice_open, name="notice"),
    path("inbox/read-all/", views.notices_read_all, name="read_all"),
    path("preferences/", views.preference_list, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
