"""Reads the owner pages, the portal, the API and the sweeps share, one module per aggregate:
engagement (list, counts, detail, timeline), milestone (plan, budget, rounds, money actions,
new-date requests), brief (current version, acknowledgement, questions, diff), conversation
(the thread, unread counts, readable files), reporting
(updates, check-ins, prompts, reminder ladders), access, playbook, reliability, and the owner
dashboard's attention items and agenda. Writes live
in services; a selector never imports one. Every name is handed on here, so
`from engagements.selectors import X` works for all of them."""

from .access import grants_for, reveal_log, rotation_checklist
from .agenda import AgendaItem, owner_agenda
from .agreement import (
    AgreementBlock,
    agreement_block,
    agreement_changes,
    agreement_settings,
    agreement_signed,
    agreement_templates,
    agreement_with_status,
    agreements_for,
    current_agreement,
    default_template,
    self_billing_status,
)
from .attention import engagement_attention, snoozed_keys
from .brief import brief_awaiting_acknowledgement, brief_diff, current_brief, open_questions, text_diff
from .conversation import thread, thread_open, thread_side, unread_count, unread_messages_for, with_unread
from .engagement import (
    at_risk_q,
    engagement_counts,
    engagement_detail,
    engagement_list,
    money_has_moved,
    overdue_milestones,
    timeline,
)
from .milestone import (
    MONEY_ACTIONS,
    BudgetFigures,
    budget_figures,
    date_changes,
    latest_round_outcome,
    milestones_with_rounds,
    money_actions,
    pending_date_change,
    planned_total,
    submissions_for,
)
from .playbook import current_playbook_versions, playbook_current_version, playbook_status
from .reliability import ReliabilityRecord, reliability_record, shared_review
from .reporting import ladder_status, latest_update, upcoming_checkins, update_prompts

__all__ = [
    "AgreementBlock", "agreement_block", "agreement_changes", "agreement_settings", "agreement_signed",
    "agreement_templates",
    "agreement_with_status", "agreements_for", "current_agreement", "default_template", "self_billing_status",
    "AgendaItem", "engagement_attention", "owner_agenda", "snoozed_keys",
    "MONEY_ACTIONS", "BudgetFigures", "ReliabilityRecord", "at_risk_q", "brief_awaiting_acknowledgement",
    "brief_diff", "budget_figures", "current_brief", "current_playbook_versions", "date_changes",
    "engagement_counts", "engagement_detail", "engagement_list", "grants_for", "ladder_status",
    "latest_round_outcome", "latest_update", "milestones_with_rounds", "money_actions", "money_has_moved",
    "open_questions", "overdue_milestones", "pending_date_change", "planned_total", "playbook_current_version",
    "playbook_status", "reliability_record", "reveal_log", "rotation_checklist", "shared_review",
    "submissions_for", "text_diff", "thread", "thread_open", "thread_side", "timeline", "unread_count",
    "unread_messages_for", "update_prompts", "upcoming_checkins", "with_unread",
]
