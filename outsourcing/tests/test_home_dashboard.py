"""The owner's home page: needs attention (with snooze), money from the ledger, the next 14 days,
charts with table fallbacks — and a fixed number of queries from 10 to 1,000 engagements."""

from datetime import timedelta
from html import escape

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from engagements.models import (
    Brief,
    CheckIn,
    DateChangeStatus,
    Engagement,
    Milestone,
    MilestoneDateChange,
    MilestoneState,
)
from freelancers.models import Interview
from payments import services
from payments.gateways import OFF_PLATFORM_HELD_FUNDS_NOTE
from payments.models import AccountKind
from payments.selectors import account_balance
from payments.tests.conftest import fund, new_key, submit
from payments.tests.factories import EngagementFactory, FreelancerFactory, MilestoneFactory


def test_an_empty_workspace_says_nothing_needs_you(owner_client):
    body = owner_client.get("/").content.decode()
    assert "Nothing needs you today." in body
    assert "No deadlines, check-ins, interviews or reviews in the next 14 days." in body
    assert "Recent emails" not in body


def test_money_shows_the_ledgers_figures_and_where_escrow_really_is(owner_client, workspace, owner):
    engagement = EngagementFactory(workspace=workspace, title="Website redesign", budget=1_000_000)
    first = MilestoneFactory(engagement=engagement, title="Design", amount=200_000)
    second = MilestoneFactory(engagement=engagement, title="Build", amount=300_000)
    fund(first, owner)
    fund(second, owner)
    submit(first)
    services.milestone_release(milestone=first, actor=owner, idempotency_key=new_key())
    services.payout_record(engagement=engagement, actor=owner, amount=50_000, method="bank_transfer",
                           reference="TR-1", paid_on=timezone.localdate(), idempotency_key=new_key())

    response = owner_client.get("/")

    [usd] = response.context["money"]["currencies"]
    assert usd == {
        "currency": "USD",
        "in_escrow": account_balance(kind=AccountKind.ESCROW, currency="USD", workspace=workspace),
        "payable": account_balance(kind=AccountKind.PAYABLE, currency="USD", workspace=workspace),
        "released_this_month": 200_000, "paid_out_this_month": 50_000,
    }
    assert (usd["in_escrow"], usd["payable"]) == (300_000, 150_000)
    [row] = response.context["money"]["engagements"]
    assert (row.released, row.in_escrow, row.remaining, row.contingency_left) == (200_000, 300_000, 500_000, 150_000)
    body = response.content.decode()
    assert "3,000.00 USD" in body and "1,500.00 USD" in body
    assert OFF_PLATFORM_HELD_FUNDS_NOTE in body
    # The charts: money released this month, the engagement's burn, both with a table.
    assert "Money released per month (USD)" in body
    assert "Budget burn: Website redesign" in body
    assert body.count("<table>") >= 2


def test_the_attention_list_has_one_sentence_a_button_and_a_snooze(owner_client, workspace, owner, manager,
                                                                   client):
    engagement = EngagementFactory(workspace=workspace, title="Website redesign",
                                   next_update_due_at=timezone.now() - timedelta(days=2, minutes=5))
    body = owner_client.get("/").content.decode()
    assert "Frida" not in body
    assert escape(f"{engagement.freelancer.name}'s status update on “Website redesign” is 2 days overdue.") in body
    assert f'href="/engagements/{engagement.pk}/updates/">See the updates</a>' in body
    key = f"update_overdue:{engagement.pk}"

    response = owner_client.post(reverse("dashboard:attention_snooze", args=[key]), follow=True)

    assert "Snoozed until this time tomorrow." in response.content.decode()
    assert "is 2 days overdue" not in response.content.decode()
    assert "Nothing needs you today." in response.content.decode()
    client.force_login(manager)
    assert "is 2 days overdue" in client.get("/").content.decode()


def test_snoozing_what_is_not_on_your_list_is_404(owner_client, outsider):
    other = EngagementFactory(workspace=outsider.memberships.get().workspace,
                              next_update_due_at=timezone.now() - timedelta(days=1))
    response = owner_client.post(reverse("dashboard:attention_snooze", args=[f"update_overdue:{other.pk}"]))
    assert response.status_code == 404


def test_the_next_14_days_lists_deadlines_check_ins_interviews_and_reviews(owner_client, workspace, owner):
    engagement = EngagementFactory(workspace=workspace, title="Website redesign")
    now = timezone.now()
    MilestoneFactory(engagement=engagement, title="Design", state=MilestoneState.FUNDED, due_at=now + timedelta(days=3))
    MilestoneFactory(engagement=engagement, title="Later", state=MilestoneState.FUNDED, due_at=now + timedelta(days=20))
    CheckIn.objects.create(engagement=engagement, scheduled_at=now + timedelta(days=1))
    Interview.objects.create(freelancer=engagement.freelancer, scheduled_at=now + timedelta(days=5))
    body = owner_client.get("/").content.decode()
    agenda = body[body.index('data-testid="agenda"'):body.index('data-testid="money"')]
    assert "“Design” due from" in agenda and "Later" not in agenda
    assert f"Check-in with {engagement.freelancer.name} about “Website redesign”" in agenda
    assert f"Intro call with {engagement.freelancer.name} (15 min)" in agenda


def _populate(workspace, n, start=0):
    """n running engagements, each with every kind of row the home page reads: an overdue update,
    gone quiet, an overdue and a submitted milestone, a date request, an unacknowledged brief, a
    check-in and an interview in the coming days."""
    now = timezone.now()
    freelancer = FreelancerFactory(workspace=workspace)
    engagements = Engagement.objects.bulk_create([
        Engagement(workspace=workspace, freelancer=freelancer, title=f"Engagement {start + i}", status="active",
                   budget=100_000, next_update_due_at=now - timedelta(hours=3), gone_quiet_at=now,
                   last_activity_at=now - timedelta(days=6)) for i in range(n)])
    milestones = Milestone.objects.bulk_create([
        Milestone(engagement=e, title=f"M{e.pk}-{k}", acceptance_criteria="x", amount=10_000, position=k,
                  state=state, due_at=now - timedelta(days=1), review_deadline_at=review)
        for e in engagements
        for k, (state, review) in enumerate(((MilestoneState.FUNDED, None),
                                             (MilestoneState.SUBMITTED, now + timedelta(days=3))))])
    MilestoneDateChange.objects.bulk_create([
        MilestoneDateChange(milestone=m, proposed_on=timezone.localdate() + timedelta(days=9), reason="x",
                            requested_by=freelancer, status=DateChangeStatus.PENDING) for m in milestones[::2]])
    Brief.objects.bulk_create([Brief(engagement=e, version=1, goal="g", deliverables="d", acceptance_criteria="a",
                                     sent_at=now - timedelta(days=1)) for e in engagements])
    CheckIn.objects.bulk_create([CheckIn(engagement=e, scheduled_at=now + timedelta(days=2)) for e in engagements])
    Interview.objects.create(freelancer=freelancer, scheduled_at=now + timedelta(days=4))


def test_the_home_page_reads_a_fixed_number_of_queries_from_10_to_1000_engagements(
        owner_client, workspace, owner, django_assert_max_num_queries):
    engagement = EngagementFactory(workspace=workspace)
    fund(MilestoneFactory(engagement=engagement), owner)  # money, a burn chart, a budget bar
    _populate(workspace, 10)
    with CaptureQueriesContext(connection) as ten:
        response = owner_client.get("/")
    assert response.context["attention_total"] == 60  # six kinds each

    _populate(workspace, 990, start=10)
    with django_assert_max_num_queries(len(ten.captured_queries)):
        response = owner_client.get("/")
    assert response.context["attention_total"] == 6000
    # The page stays a page: the most urgent few, the budgets nearest their limit, the soonest
    # dates; the rest one link away.
    body = response.content.decode()
    assert body.count('data-key="') == 15 and "See all 6000" in body
    assert len(response.context["money"]["engagements"]) <= 6 and response.context["budgets_total"] >= 1000
    assert sum(len(items) for _, items in response.context["agenda"]) == 30


def test_every_item_is_on_the_attention_page_a_page_at_a_time(owner_client, workspace):
    _populate(workspace, 10)
    first = owner_client.get("/attention/")
    assert first.status_code == 200 and first.content.decode().count('data-key="') == 50
    last = owner_client.get("/attention/?page=2")
    assert last.content.decode().count('data-key="') == 10
