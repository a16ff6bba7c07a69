"""Engagements (API.md): engagements and their lifecycle, versioned briefs and their
acknowledgement, brief questions, milestones with the work transitions, status updates and
check-ins. Every view calls the same actions as the owner pages and the portal
(engagements.services / briefs / work / reporting), so the rules, the field errors (400) and
the state conflicts (409) are the same.

Owner and manager tokens see and change their workspace. A freelancer token sees only that
freelancer's engagements (and only the brief versions sent to them), and does the freelancer's
part: acknowledge a brief, ask about it, submit a milestone, post a status update. Anything
else answers 404.

Modules: access.py (scoping helpers), serializers.py, lifecycle.py (engagements and their
lifecycle), briefs.py, agreements.py (templates, versions, signing, the PDF), milestones.py,
reporting.py (status updates, check-ins), messages.py (the
conversation, read marks, attachments).
"""

from django.urls import path

from .agreements import (
    AgreementDetail,
    AgreementPdf,
    AgreementSend,
    AgreementSettingsDetail,
    AgreementSign,
    AgreementTemplateDetail,
    AgreementTemplateList,
    EngagementAgreementList,
)
from .briefs import BriefAcknowledge, BriefDetail, BriefList, QuestionAnswer, QuestionList
from .lifecycle import LIFECYCLE, EngagementDetail, EngagementList, _lifecycle_view
from .messages import (
    AttachmentDownload,
    AttachmentUpload,
    MessageDetail,
    MessageList,
    MessageRetract,
    MessagesRead,
)
from .milestones import MilestoneDetail, MilestoneList, MilestoneRequestChanges, MilestoneSubmit
from .reporting import CheckInList, StatusUpdateList

urlpatterns = [
    path("engagements/", EngagementList.as_view(), name="engagements"),
    path("engagements/<int:pk>/", EngagementDetail.as_view(), name="engagement"),
    *[path(f"engagements/<int:pk>/{action}/", _lifecycle_view(action), name=f"engagement-{action}")
      for action in LIFECYCLE],
    path("engagements/<int:pk>/briefs/", BriefList.as_view(), name="engagement-briefs"),
    path("engagements/<int:pk>/milestones/", MilestoneList.as_view(), name="engagement-milestones"),
    path("engagements/<int:pk>/status-updates/", StatusUpdateList.as_view(), name="engagement-status-updates"),
    path("engagements/<int:pk>/check-ins/", CheckInList.as_view(), name="engagement-check-ins"),
    path("engagements/<int:pk>/messages/", MessageList.as_view(), name="engagement-messages"),
    path("engagements/<int:pk>/messages/read/", MessagesRead.as_view(), name="engagement-messages-read"),
    path("messages/<int:pk>/", MessageDetail.as_view(), name="message"),
    path("messages/<int:pk>/retract/", MessageRetract.as_view(), name="message-retract"),
    path("attachments/", AttachmentUpload.as_view(), name="attachments"),
    path("attachments/<int:pk>/", AttachmentDownload.as_view(), name="attachment"),
    path("engagements/<int:pk>/agreements/", EngagementAgreementList.as_view(), name="engagement-agreements"),
    path("agreement-settings/", AgreementSettingsDetail.as_view(), name="agreement-settings"),
    path("agreement-templates/", AgreementTemplateList.as_view(), name="agreement-templates"),
    path("agreement-templates/<int:pk>/", AgreementTemplateDetail.as_view(), name="agreement-template"),
    path("agreements/<int:pk>/", AgreementDetail.as_view(), name="agreement"),
    path("agreements/<int:pk>/send/", AgreementSend.as_view(), name="agreement-send"),
    path("agreements/<int:pk>/sign/", AgreementSign.as_view(), name="agreement-sign"),
    path("agreements/<int:pk>/pdf/", AgreementPdf.as_view(), name="agreement-pdf"),
    path("briefs/<int:pk>/", BriefDetail.as_view(), name="brief"),
    path("briefs/<int:pk>/acknowledge/", BriefAcknowledge.as_view(), name="brief-acknowledge"),
    path("briefs/<int:pk>/questions/", QuestionList.as_view(), name="brief-questions"),
    path("questions/<int:pk>/answer/", QuestionAnswer.as_view(), name="question-answer"),
    path("milestones/<int:pk>/", MilestoneDetail.as_view(), name="milestone"),
    path("milestones/<int:pk>/submit/", MilestoneSubmit.as_view(), name="milestone-submit"),
    path("milestones/<int:pk>/request-changes/", MilestoneRequestChanges.as_view(),
         name="milestone-request-changes"),
]
