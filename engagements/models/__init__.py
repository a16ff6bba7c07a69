"""Engagements and their milestones, one module per aggregate:

- engagement: the engagement, its status, the table of status moves and the ended statuses.
- milestone: the milestone state machine (one transition table), submissions and their files,
  requests for a new due date.
- brief: brief versions and the freelancer's questions.
- reporting: status updates, the workspace's update prompts, check-ins.
- playbook: playbook documents, their versions, acknowledgements and requests to read them.
- access: shared credentials and the log of their reveals.
- review: the end review.
- activity: the engagement's timeline.
- attention: what a user snoozed from their "needs attention" list, until when.
- agreement: agreement templates and settings, the agreement's versions and their signatures.
- conversation: messages, their files (and submissions' files: one storage), read marks with the
  missed-message email's ladder, and the emails that came in as replies.

Every name is re-exported here, so `from engagements.models import X` works for all of them
(the migrations name `engagements.models.submission_upload_to`).
"""

# isort: off
# In dependency order, the order the models register in: the engagement, then what hangs from it.
from .engagement import (
    COMMISSION_PERCENT_MAX,
    ENDED_STATUSES,
    ENGAGEMENT_CLEARS,
    ENGAGEMENT_TRANSITIONS,
    OPEN_STATUSES,
    RUNNING_STATUSES,
    Engagement,
    EngagementKind,
    EngagementStatus,
    PayTerms,
    ReportingPreference,
    RetainerPeriodLength,
)
from .milestone import (
    MILESTONE_CLEARS,
    MILESTONE_FINAL_STATES,
    MILESTONE_TRANSITIONS,
    MONEY_HELD_STATES,
    OPEN_WORK_STATES,
    DateChangeStatus,
    Milestone,
    MilestoneDateChange,
    MilestoneState,
    Submission,
    SubmissionFile,
    SubmissionOutcome,
    allowed_from,
    submission_upload_to,
)
from .brief import BRIEF_SECTIONS, Brief, BriefQuestion
from .reporting import DEFAULT_PROMPTS, CheckIn, CheckInStatus, StatusUpdate, UpdatePrompts
from .playbook import PlaybookAcknowledgement, PlaybookAckRequest, PlaybookDocument, PlaybookKind, PlaybookVersion
from .access import AccessGrant, AccessReveal
from .review import Review
from .activity import Activity, ActivityKind
from .conversation import (
    EDIT_WINDOW,
    MISSED_AFTER,
    Attachment,
    InboundEmail,
    InboundStatus,
    Message,
    MessageVia,
    ThreadRead,
    attachment_key,
    thumbnail_key,
)
from .attention import SNOOZE_HOURS, AttentionSnooze
from .agreement import (
    Agreement,
    AgreementSettings,
    AgreementSignature,
    AgreementStatus,
    AgreementTemplate,
    SignedAgreementPdf,
    SignerSide,
    document_sha256,
)
# isort: on

__all__ = [
    "Agreement",
    "AgreementSettings",
    "AgreementSignature",
    "AgreementStatus",
    "AgreementTemplate",
    "SignedAgreementPdf",
    "SignerSide",
    "document_sha256",
    "SNOOZE_HOURS",
    "AttentionSnooze",
    "BRIEF_SECTIONS",
    "DEFAULT_PROMPTS",
    "EDIT_WINDOW",
    "ENDED_STATUSES",
    "ENGAGEMENT_CLEARS",
    "ENGAGEMENT_TRANSITIONS",
    "MILESTONE_CLEARS",
    "MILESTONE_FINAL_STATES",
    "MILESTONE_TRANSITIONS",
    "MISSED_AFTER",
    "MONEY_HELD_STATES",
    "OPEN_STATUSES",
    "OPEN_WORK_STATES",
    "RUNNING_STATUSES",
    "AccessGrant",
    "AccessReveal",
    "Activity",
    "ActivityKind",
    "Attachment",
    "Brief",
    "BriefQuestion",
    "CheckIn",
    "CheckInStatus",
    "DateChangeStatus",
    "Engagement",
    "EngagementKind",
    "EngagementStatus",
    "InboundEmail",
    "InboundStatus",
    "Message",
    "MessageVia",
    "Milestone",
    "MilestoneDateChange",
    "MilestoneState",
    "PayTerms",
    "RetainerPeriodLength",
    "COMMISSION_PERCENT_MAX",
    "PlaybookAckRequest",
    "PlaybookAcknowledgement",
    "PlaybookDocument",
    "PlaybookKind",
    "PlaybookVersion",
    "ReportingPreference",
    "Review",
    "StatusUpdate",
    "Submission",
    "SubmissionFile",
    "SubmissionOutcome",
    "ThreadRead",
    "UpdatePrompts",
    "allowed_from",
    "attachment_key",
    "submission_upload_to",
    "thumbnail_key",
]
