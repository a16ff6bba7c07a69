"""The budget of an engagement once money has moved: changed only here, recorded with a reason
(`BudgetChange`), never below what is already committed. Before any money moves, the
engagement's own form edits the budget freely (engagements sits below payments)."""

from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record
from engagements.models import Engagement

from .. import timeline
from ..errors import InvalidInput
from ..models import BudgetChange
from ..roles import require_owner
from ..selectors import committed_spend
from ._amounts import whole


def engagement_budget_change(*, engagement, actor, budget, contingency_percent=None, reason):
    """The owner sets a new budget (and contingency), recorded with a reason. Lowering it below
    what is already committed is refused."""
    require_owner(engagement.workspace, actor)
    budget = whole(budget, "budget")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say why the budget changes.", field="reason")
    with transaction.atomic():
        eng = Engagement.objects.select_for_update().get(pk=engagement.pk)
        percent = (eng.contingency_percent if contingency_percent is None
                   else whole(contingency_percent, "contingency_percent"))
        if percent > 100:
            raise InvalidInput("Contingency is at most 100 %.", field="contingency_percent")
        if budget == eng.budget and percent == eng.contingency_percent:
            raise InvalidInput("That is the current budget.", field="budget")
        committed = committed_spend(eng)
        if budget + budget * percent // 100 < committed:
            raise InvalidInput(
                f"{timeline.money(committed, eng)} is already committed; the budget with contingency cannot be "
                "less.", field="budget",
            )
        change = BudgetChange.objects.create(
            engagement=eng, old_budget=eng.budget, new_budget=budget, old_contingency_percent=eng.contingency_percent,
            new_contingency_percent=percent, currency=eng.currency, reason=reason, changed_by=actor,
        )
        Engagement.objects.filter(pk=eng.pk).update(budget=budget, contingency_percent=percent,
                                                    updated_at=timezone.now())
        audit_record(workspace=eng.workspace_id, action="money.budget_change", actor=actor, obj=change,
                     detail=f"Budget of engagement {eng.pk}: {change.old_budget} → {budget} minor units "
                            f"{eng.currency}, {percent} % contingency.")
        timeline.record(engagement=eng, kind="budget_changed", actor=actor,
                        summary=f"Budget {timeline.money(change.old_budget, eng)} → "
                                f"{timeline.money(budget, eng)} ({percent} % contingency): {reason}")
    engagement.refresh_from_db()
    return change
