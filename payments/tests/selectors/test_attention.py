"""Money's kinds of "needs attention" — work whose review window closes, open disputes, budgets
past 80 % — appear when their condition holds and go once handled; a snooze hides an item for
a day for that user only."""

from datetime import timedelta

from django.utils import timezone

from engagements.services.attention import attention_snooze
from payments import services
from payments.selectors.attention import owner_attention
from payments.tests.conftest import fund, new_key


def items(workspace, user):
    return {i.key: i for i in owner_attention(workspace, user=user, now=timezone.now())}


def test_submitted_work_shows_the_days_and_hours_left_before_automatic_release(submitted, workspace, owner,
                                                                               time_machine):
    key = f"review_closing:{submitted.pk}"
    time_machine.move_to(submitted.review_deadline_at - timedelta(days=2, hours=5), tick=False)
    item = items(workspace, owner)[key]
    assert item.severity == "soon"
    assert item.title == ("Frida Freelancer submitted “Home page” (Website redesign): 2 days 5 hours left to review "
                          "it before the payment is released automatically.")
    time_machine.move_to(submitted.review_deadline_at - timedelta(hours=3), tick=False)
    assert items(workspace, owner)[key].severity == "today"

    services.milestone_release(milestone=submitted, actor=owner, idempotency_key=new_key())

    assert key not in items(workspace, owner)


def test_an_open_dispute_needs_attention_until_resolved(funded, workspace, owner):
    services.milestone_dispute(milestone=funded, actor=owner, reason="Not what we agreed.", idempotency_key=new_key())
    key = next(k for k in items(workspace, owner) if k.startswith("dispute_open:"))
    item = items(workspace, owner)[key]
    assert item.severity == "overdue"
    assert "“Home page” with Frida Freelancer (Website redesign) has been disputed" in item.title
    assert "1,500.00 USD is frozen until you resolve it" in item.title
    assert item.url == f"/payments/milestones/{funded.pk}/resolve/"

    services.milestone_resolve(milestone=funded, actor=owner, release_amount=100_000, refund_amount=50_000,
                               idempotency_key=new_key())

    assert key not in items(workspace, owner)


def test_a_budget_past_80_percent_needs_attention_until_money_goes_back(engagement, make_milestone, workspace,
                                                                        owner):
    key = f"budget_alert:{engagement.pk}"
    small = make_milestone(title="Design", amount=700_000)
    fund(small, owner)
    assert key not in items(workspace, owner)  # 70 %
    big = make_milestone(title="Build", amount=150_000)
    fund(big, owner)
    item = items(workspace, owner)[key]
    assert item.title == ("“Website redesign” with Frida Freelancer has committed 85 % of its budget "
                          "(8,500.00 USD of 10,000.00 USD; alert above 80 %).")

    services.milestone_refund(milestone=big, actor=owner, idempotency_key=new_key())

    assert key not in items(workspace, owner)


def test_a_snooze_hides_an_item_for_a_day_for_that_user_only(funded, workspace, owner, manager, time_machine):
    services.milestone_dispute(milestone=funded, actor=owner, reason="Not what we agreed.", idempotency_key=new_key())
    key = next(k for k in items(workspace, owner) if k.startswith("dispute_open:"))

    attention_snooze(user=owner, workspace=workspace, key=key)

    assert key not in items(workspace, owner)
    assert key in items(workspace, manager)
    time_machine.move_to(timezone.now() + timedelta(hours=23), tick=False)
    assert key not in items(workspace, owner)
    time_machine.move_to(timezone.now() + timedelta(hours=1, minutes=1), tick=False)
    assert key in items(workspace, owner)
