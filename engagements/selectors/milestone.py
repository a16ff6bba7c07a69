"""Reads about milestones: the plan with its rounds and budget figures, the submitted rounds,
the money actions that fit a milestone's state, and its requests for a new due date."""

from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum

from ..models import DateChangeStatus, Milestone, MilestoneDateChange, MilestoneState, Submission, SubmissionOutcome

# Refunded money is back with the owner: it no longer counts against the budget.
NOT_COUNTED = {MilestoneState.REFUNDED}


def milestones_with_rounds(engagement):
    return (
        Milestone.objects.filter(engagement=engagement)
        .annotate(
            rounds=Count("submissions"),
            changes_requested_rounds=Count(
                "submissions", filter=Q(submissions__outcome=SubmissionOutcome.CHANGES_REQUESTED)),
        )
        .order_by("position", "id")
    )


@dataclass
class BudgetFigures:
    currency: str
    budget: int
    contingency: int
    ceiling: int
    planned: int
    by_state: dict = field(default_factory=dict)

    @property
    def over_budget(self):
        return self.budget and self.planned > self.budget

    @property
    def over_ceiling(self):
        return self.budget and self.planned > self.ceiling

    @property
    def by_state_rows(self):
        return [(state, MilestoneState(state).label, amount) for state, amount in self.by_state.items()]

    @property
    def remaining(self):
        return self.budget - self.planned

    @property
    def over_by(self):
        return max(0, self.planned - self.budget)

    @property
    def used_percent(self):
        return min(100, round(self.planned * 100 / self.budget)) if self.budget else 0


def budget_figures(engagement, milestones):
    by_state = {}
    for m in milestones:
        by_state[m.state] = by_state.get(m.state, 0) + m.amount
    planned = sum(v for k, v in by_state.items() if k != MilestoneState.REFUNDED)
    return BudgetFigures(
        currency=engagement.currency, budget=engagement.budget, contingency=engagement.contingency_amount,
        ceiling=engagement.budget_with_contingency, planned=planned, by_state=by_state,
    )


def planned_total(engagement, exclude_pk=None):
    qs = engagement.milestones.exclude(state__in=NOT_COUNTED)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.aggregate(total=Sum("amount"))["total"] or 0


def submissions_for(milestone):
    return (
        Submission.objects.filter(milestone=milestone)
        .select_related("submitted_by", "feedback_by")
        .prefetch_related("files__attachment")
        .order_by("-round")
    )


# The money moves on a milestone live in payments (pages named `payments:milestone_action`);
# the milestone page links to the ones that fit its state. Accepting work is releasing it.
MONEY_ACTIONS = {
    MilestoneState.DRAFT: [("fund", "Fund it (the money is held until you accept the work)…", "btn-primary")],
    MilestoneState.FUNDED: [("refund", "Cancel and refund…", "btn-outline-warning"),
                            ("dispute", "Open a dispute…", "btn-outline-danger")],
    MilestoneState.SUBMITTED: [("release", "Accept the work and release the payment…", "btn-success"),
                               ("extend", "Extend the review…", "btn-outline-secondary"),
                               ("dispute", "Open a dispute…", "btn-outline-danger")],
    MilestoneState.CHANGES_REQUESTED: [("dispute", "Open a dispute…", "btn-outline-danger")],
    MilestoneState.DISPUTED: [("resolve", "Resolve the dispute…", "btn-primary")],
    MilestoneState.RELEASED: [("ask-refund", "Ask for money back…", "btn-outline-secondary")],
}
# Released money can be asked back after the engagement ended too.
AFTER_END = {"ask-refund"}


def money_actions(milestone):
    """(action, label, button class) for the payments pages that fit the milestone's state."""
    actions = MONEY_ACTIONS.get(MilestoneState(milestone.state), [])
    if milestone.engagement.is_ended:
        return [action for action in actions if action[0] in AFTER_END]
    return actions


def latest_round_outcome(milestone, submission):
    """What became of the latest round: the owner's decision is recorded on it when they ask for
    changes; acceptance, a dispute or a refund is the milestone's own state (payments)."""
    if submission.outcome != SubmissionOutcome.PENDING:
        return submission.get_outcome_display()
    return {
        MilestoneState.SUBMITTED: "Waiting for review",
        MilestoneState.RELEASED: "Accepted and released",
        MilestoneState.DISPUTED: "Disputed",
        MilestoneState.REFUNDED: "Refunded",
        MilestoneState.SPLIT: "Settled by a split",
    }.get(MilestoneState(milestone.state), submission.get_outcome_display())


def date_changes(milestone):
    return MilestoneDateChange.objects.filter(milestone=milestone).select_related("requested_by", "decided_by")


def pending_date_change(milestone):
    return date_changes(milestone).filter(status=DateChangeStatus.PENDING).first()
