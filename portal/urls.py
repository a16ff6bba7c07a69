"""The freelancer portal under /portal/, and the owner's portal-access pages under
/portal/owner/ (names starting `owner_`). Engagement pages take the engagement id as `pk`:
engagements' emails link to `portal:engagement`, `portal:brief` and `portal:playbook`."""

from django.urls import path

from .views import agreement, conversation, dates, engagement, home, inbox, owner, payouts, public, work

app_name = "portal"

urlpatterns = [
    # Public: the emailed invitation link, accepting it, and asking for a new one.
    path("invite/<str:token>/", public.invitation_open, name="invitation_open"),
    path("invite/", public.invitation_accept, name="invitation_accept"),
    path("sign-in/", public.sign_in, name="sign_in"),
    # The freelancer's side.
    path("", home.home, name="home"),
    path("switch/", home.switch, name="switch"),
    path("profile/", home.profile, name="profile"),
    path("profile/calendar/", home.calendar_feed, name="calendar_feed"),
    path("money/", home.money_overview, name="money"),
    path("money/payouts/", payouts.payouts, name="payouts"),
    path("inbox/", inbox.inbox_list, name="inbox"),
    path("inbox/<int:pk>/", inbox.notice_open, name="notice"),
    path("inbox/read-all/", inbox.notices_read_all, name="read_all"),
    path("engagements/<int:pk>/", engagement.engagement, name="engagement"),
    path("engagements/<int:pk>/brief/", engagement.brief, name="brief"),
    path("engagements/<int:pk>/brief/<int:brief_pk>/acknowledge/", engagement.brief_acknowledge,
         name="brief_acknowledge"),
    path("engagements/<int:pk>/brief/<int:brief_pk>/ask/", engagement.brief_ask, name="brief_ask"),
    path("engagements/<int:pk>/agreement/", agreement.agreement, name="agreement"),
    path("engagements/<int:pk>/agreement/<int:agreement_pk>/sign/", agreement.agreement_sign, name="agreement_sign"),
    path("engagements/<int:pk>/agreement/<int:agreement_pk>/pdf/", agreement.agreement_pdf, name="agreement_pdf"),
    path("engagements/<int:pk>/playbook/", engagement.playbook_list, name="playbook"),
    path("engagements/<int:pk>/playbook/<int:document_pk>/", engagement.playbook_document, name="playbook_document"),
    path("engagements/<int:pk>/playbook/<int:document_pk>/acknowledge/", engagement.playbook_acknowledge,
         name="playbook_acknowledge"),
    path("engagements/<int:pk>/updates/", engagement.updates, name="updates"),
    path("engagements/<int:pk>/check-ins/", engagement.checkins, name="checkins"),
    path("engagements/<int:pk>/access/", engagement.grants_list, name="grants"),
    path("engagements/<int:pk>/access/<int:grant_pk>/reveal/", engagement.grant_reveal, name="grant_reveal"),
    path("engagements/<int:pk>/money/", engagement.engagement_money, name="engagement_money"),
    path("engagements/<int:pk>/review/", engagement.review, name="review"),
    path("engagements/<int:pk>/milestones/<int:milestone_pk>/", work.milestone, name="milestone"),
    path("engagements/<int:pk>/milestones/<int:milestone_pk>/submit/", work.milestone_submit,
         name="milestone_submit"),
    path("engagements/<int:pk>/milestones/<int:milestone_pk>/dispute/", work.milestone_dispute,
         name="milestone_dispute"),
    path("engagements/<int:pk>/milestones/<int:milestone_pk>/new-date/", dates.date_request,
         name="date_request"),
    path("engagements/<int:pk>/milestones/<int:milestone_pk>/new-date/withdraw/", dates.date_withdraw,
         name="date_withdraw"),
    path("engagements/<int:pk>/files/<int:file_pk>/", work.submission_file, name="submission_file"),
    path("engagements/<int:pk>/messages/", conversation.thread, name="messages"),
    path("engagements/<int:pk>/messages/<int:message_pk>/edit/", conversation.message_edit, name="message_edit"),
    path("engagements/<int:pk>/messages/<int:message_pk>/retract/", conversation.message_retract,
         name="message_retract"),
    path("engagements/<int:pk>/attachments/<int:attachment_pk>/", conversation.attachment, name="attachment"),
    path("engagements/<int:pk>/attachments/<int:attachment_pk>/preview/", conversation.attachment_preview,
         name="attachment_preview"),
    path("engagements/<int:pk>/timesheets/", work.timesheets, name="timesheets"),
    path("engagements/<int:pk>/timesheets/<int:timesheet_pk>/", work.timesheet, name="timesheet"),
    path("engagements/<int:pk>/timesheets/<int:timesheet_pk>/submit/", work.timesheet_submit,
         name="timesheet_submit"),
    path("engagements/<int:pk>/timesheets/<int:timesheet_pk>/entries/<int:entry_pk>/delete/",
         work.time_entry_delete, name="time_entry_delete"),
    # The owner's side: a freelancer's portal access and the workspace's portal invitations.
    path("owner/invitations/", owner.invitations_list, name="owner_invitations"),
    path("owner/freelancers/<int:freelancer_pk>/", owner.freelancer_access, name="owner_access"),
    path("owner/freelancers/<int:freelancer_pk>/invite/", owner.invite, name="owner_invite"),
    path("owner/freelancers/<int:freelancer_pk>/revoke-access/", owner.access_revoke,
         name="owner_access_revoke"),
    path("owner/invitations/<int:invitation_pk>/resend/", owner.invitation_resend,
         name="owner_invitation_resend"),
    path("owner/invitations/<int:invitation_pk>/revoke/", owner.invitation_revoke,
         name="owner_invitation_revoke"),
]
