"""Owner-side forms (`engagement`: engagements, briefs, milestones, reporting, playbook, access,
reviews, reminders) and the conversation's (`conversation`, shared with the portal). They clean
input; the actions enforce the rules and their ValidationErrors land on the same fields
(`apply_errors`)."""

from .agreement import AgreementIssueForm, AgreementSettingsForm, AgreementTemplateForm, SignForm
from .conversation import MessageEditForm, MessageForm, MultipleFileField, MultipleFileInput
from .engagement import (
    DATETIME_WIDGET,
    RATING_CHOICES,
    TEXT_MAX_LENGTH,
    AccessGrantForm,
    AnswerForm,
    AttachPlaybookForm,
    BriefForm,
    CheckInForm,
    CheckInRecordForm,
    DateDecisionForm,
    EndForm,
    EngagementForm,
    FeedbackForm,
    MilestoneForm,
    MoneyField,
    PlaybookDocumentForm,
    ReminderSettingsForm,
    ReviewForm,
    UpdatePromptsForm,
    bounded_text,
    hireable,
)

__all__ = [
    "AgreementIssueForm", "AgreementSettingsForm", "AgreementTemplateForm", "SignForm",
    "AccessGrantForm",
    "AnswerForm",
    "AttachPlaybookForm",
    "BriefForm",
    "CheckInForm",
    "CheckInRecordForm",
    "DATETIME_WIDGET",
    "DateDecisionForm",
    "EndForm",
    "EngagementForm",
    "FeedbackForm",
    "MessageEditForm",
    "MessageForm",
    "MilestoneForm",
    "MoneyField",
    "MultipleFileField",
    "MultipleFileInput",
    "PlaybookDocumentForm",
    "RATING_CHOICES",
    "ReminderSettingsForm",
    "ReviewForm",
    "TEXT_MAX_LENGTH",
    "UpdatePromptsForm",
    "bounded_text",
    "hireable",
]
