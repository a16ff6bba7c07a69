import pytest

from payments import services
from payments.errors import (
    InvalidInput,
)
from payments.models import BudgetChange

from ..conftest import fund

pytestmark = pytest.mark.django_db


def test_raising_the_budget_is_recorded_and_then_funding_passes(make_milestone, owner, engagement):
    fund(make_milestone(amount=1_100_000), owner)
    big = make_milestone(amount=60_000)
    change = services.engagement_budget_change(engagement=engagement, actor=owner, budget=1_100_000,
                                               reason="Extra page agreed on the call")
    assert (change.old_budget, change.new_budget, change.changed_by) == (1_000_000, 1_100_000, owner)
    engagement.refresh_from_db()
    assert engagement.budget == 1_100_000
    fund(big, owner)
    assert BudgetChange.objects.filter(engagement=engagement).count() == 1


def test_budget_cannot_be_lowered_below_what_is_committed(funded, owner, engagement):
    with pytest.raises(InvalidInput, match="committed"):
        services.engagement_budget_change(engagement=engagement, actor=owner, budget=100_000,
                                          contingency_percent=0, reason="Cut")
