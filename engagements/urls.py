from django.urls import path

from . import views, views_briefs, views_grants, views_milestones, views_more, views_reporting

app_name = "engagements"

urlpatterns = [
    path("", views.engagement_list, name="list"),
    path("new/", views.engagement_create, name="create"),
    path("playbook/", views_more.playbook_list, name="playbook_list"),
    path("playbook/new/", views_more.playbook_create, name="playbook_create"),
    path("playbook/<int:pk>/", views_more.playbook_document, name="playbook_document"),
    path("playbook/<int:pk>/edit/", views_more.playbook_edit, name="playbook_edit"),
    path("update-prompts/", views_more.update_prompts, name="update_prompts"),
    path("reliability/<int:freelancer_pk>/", views_more.reliability, name="reliability"),
    path("<int:pk>/", views.engagement_detail, name="detail"),
    path("<int:pk>/edit/", views.engagement_edit, name="edit"),
    path("<int:pk>/timeline/", views.engagement_timeline, name="timeline"),
    *[path(f"<int:pk>/{action}/", views.engagement_action, {"action": action}, name=action)
      for action in ("offer", "withdraw", "pause", "resume")],
    path("<int:pk>/complete/", views.engagement_end, {"outcome": "complete"}, name="complete"),
    path("<int:pk>/cancel/", views.engagement_end, {"outcome": "cancel"}, name="cancel"),
    path("<int:pk>/brief/", views_briefs.brief_detail, name="brief"),
    path("<int:pk>/brief/edit/", views_briefs.brief_edit, name="brief_edit"),
    path("<int:pk>/brief/diff/", views_briefs.brief_diff, name="brief_diff"),
    path("<int:pk>/questions/<int:question_pk>/answer/", views_briefs.question_answer, name="question_answer"),
    path("<int:pk>/milestones/new/", views_milestones.milestone_create, name="milestone_create"),
    path("<int:pk>/milestones/<int:milestone_pk>/", views_milestones.milestone_detail, name="milestone"),
    path("<int:pk>/milestones/<int:milestone_pk>/edit/", views_milestones.milestone_edit, name="milestone_edit"),
    path("<int:pk>/milestones/<int:milestone_pk>/delete/", views_milestones.milestone_delete, name="milestone_delete"),
    path("<int:pk>/milestones/<int:milestone_pk>/move/", views_milestones.milestone_move, name="milestone_move"),
    path("<int:pk>/milestones/<int:milestone_pk>/request-changes/", views_milestones.milestone_request_changes,
         name="milestone_request_changes"),
    path("<int:pk>/files/<int:file_pk>/", views_milestones.submission_file, name="submission_file"),
    path("<int:pk>/updates/", views_reporting.status_updates, name="updates"),
    path("<int:pk>/check-ins/", views_reporting.checkins, name="checkins"),
    path("<int:pk>/check-ins/<int:checkin_pk>/", views_reporting.checkin_detail, name="checkin"),
    path("<int:pk>/check-ins/<int:checkin_pk>/cancel/", views_reporting.checkin_cancel, name="checkin_cancel"),
    path("<int:pk>/playbook/", views_reporting.engagement_playbook, name="playbook"),
    path("<int:pk>/playbook/<int:document_pk>/detach/", views_reporting.playbook_detach, name="playbook_detach"),
    path("<int:pk>/access/", views_grants.access_grants, name="grants"),
    path("<int:pk>/access/<int:grant_pk>/edit/", views_grants.access_grant_edit, name="grant_edit"),
    path("<int:pk>/access/<int:grant_pk>/revoke/", views_grants.access_grant_action, {"action": "revoke"},
         name="grant_revoke"),
    path("<int:pk>/access/<int:grant_pk>/rotated/", views_grants.access_grant_action, {"action": "rotated"},
         name="grant_rotated"),
    path("<int:pk>/review/", views.review, name="review"),
]
