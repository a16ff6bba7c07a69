"""The freelancer portal under /portal/, and the owner's portal-access pages under
/portal/owner/ (names starting `owner_`). Engagement pages take the engagement id as `pk`:
engagements' emails link to `portal:engagement`, `portal:brief` and `portal:playbook`."""

from django.urls import path

from . import views, views_dates, views_owner, views_public, views_work

app_name = "portal"

urlpatterns = [
    # Public: the emailed invitation link, accepting it, and asking for a new one.
    path("invite/<str:token>/", views_public.invitation_open, name="invitation_open"),
    path("invite/", views_public.invitation_accept, name="invitation_accept"),
    path("sign-in/", views_public.sign_in, name="sign_in"),
    # The freelancer's side.
    path("", views.home, name="home"),
    path("switch/", views.switch, name="switch"),
    path("profile/", views.profile, name="profile"),
    path("money/", views.money_overview, name="money"),
    path("engagements/<int:pk>/", views.engagement, name="engagement"),
    path("engagements/<int:pk>/brief/", views.brief, name="brief"),
    path("engagements/<int:pk>/brief/<int:brief_pk>/acknowledge/", views.brief_acknowledge,
         name="brief_acknowledge"),
    path("engagements/<int:pk>/brief/<int:brief_pk>/ask/", views.brief_ask, name="brief_ask"),
    path("engagements/<int:pk>/playbook/", views.playbook_list, name="playbook"),
    path("engagements/<int:pk>/playbook/<int:document_pk>/", views.playbook_document, name="playbook_document"),
    path("engagements/<int:pk>/playbook/<int:document_pk>/acknowledge/", views.playbook_acknowledge,
         name="playbook_acknowledge"),
    path("engagements/<int:pk>/updates/", views.updates, name="updates"),
    path("engagements/<int:pk>/check-ins/", views.checkins, name="checkins"),
    path("engagements/<int:pk>/access/", views.grants_list, name="grants"),
    path("engagements/<int:pk>/access/<int:grant_pk>/reveal/", views.grant_reveal, name="grant_reveal"),
    path("engagements/<int:pk>/money/", views.engagement_money, name="engagement_money"),
    path("engagements/<int:pk>/review/", views.review, name="review"),
    path("engagements/<int:pk>/milestones/<int:milestone_pk>/", views_work.milestone, name="milestone"),
    path("engagements/<int:pk>/milestones/<int:milestone_pk>/submit/", views_work.milestone_submit,
         name="milestone_submit"),
    path("engagements/<int:pk>/milestones/<int:milestone_pk>/dispute/", views_work.milestone_dispute,
         name="milestone_dispute"),
    path("engagements/<int:pk>/milestones/<int:milestone_pk>/new-date/", views_dates.date_request,
         name="date_request"),
    path("engagements/<int:pk>/milestones/<int:milestone_pk>/new-date/withdraw/", views_dates.date_withdraw,
         name="date_withdraw"),
    path("engagements/<int:pk>/files/<int:file_pk>/", views_work.submission_file, name="submission_file"),
    path("engagements/<int:pk>/timesheets/", views_work.timesheets, name="timesheets"),
    path("engagements/<int:pk>/timesheets/<int:timesheet_pk>/", views_work.timesheet, name="timesheet"),
    path("engagements/<int:pk>/timesheets/<int:timesheet_pk>/submit/", views_work.timesheet_submit,
         name="timesheet_submit"),
    path("engagements/<int:pk>/timesheets/<int:timesheet_pk>/entries/<int:entry_pk>/delete/",
         views_work.time_entry_delete, name="time_entry_delete"),
    # The owner's side: a freelancer's portal access and the workspace's portal invitations.
    path("owner/invitations/", views_owner.invitations_list, name="owner_invitations"),
    path("owner/freelancers/<int:freelancer_pk>/", views_owner.freelancer_access, name="owner_access"),
    path("owner/freelancers/<int:freelancer_pk>/invite/", views_owner.invite, name="owner_invite"),
    path("owner/freelancers/<int:freelancer_pk>/revoke-access/", views_owner.access_revoke,
         name="owner_access_revoke"),
    path("owner/invitations/<int:invitation_pk>/resend/", views_owner.invitation_resend,
         name="owner_invitation_resend"),
    path("owner/invitations/<int:invitation_pk>/revoke/", views_owner.invitation_revoke,
         name="owner_invitation_revoke"),
]
