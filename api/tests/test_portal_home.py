"""The freelancer's front door over the API: `GET /attention/`, `/money/`, `/agenda/` with a
freelancer token answer what the portal home shows; other tokens' roles see nothing of it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from engagements.services import conversation
from engagements.services import milestone as work
from payments import services as payments
from payments.tests.factories import EngagementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def work_in_progress(workspace, owner, freelancer):
    engagement = EngagementFactory(workspace=workspace, freelancer=freelancer, title="Shop", currency="USD",
                                   offered_at=timezone.now())
    milestone, _ = work.milestone_create(engagement=engagement, actor=owner, title="Cart", acceptance_criteria="x",
                                         amount=48_000, due_on=timezone.localdate() + timedelta(days=2))
    payments.milestone_fund(milestone=milestone, actor=owner, idempotency_key="api-home-1")
    conversation.message_post(engagement=engagement, author=owner, body="Fonts?")
    return engagement, milestone


def test_money_in_four_states_per_currency(freelancer_api, work_in_progress):
    engagement, _ = work_in_progress
    body = freelancer_api.get("/api/v1/money/").json()
    assert body == {
        "currencies": [{"currency": "USD", "held": 48_000, "in_review": 0, "disputed": 0, "payable": 0,
                        "paid_out_this_month": 0, "paid_out_total": 0}],
        "engagements": [{"id": engagement.pk, "title": "Shop", "currency": "USD", "held": 48_000, "in_review": 0,
                         "payable": 0, "paid_out": 0}],
    }


def test_attention_lists_their_items(freelancer_api, work_in_progress):
    engagement, milestone = work_in_progress
    items = freelancer_api.get("/api/v1/attention/").json()["results"]
    by_kind = {i["kind"]: i for i in items}
    assert {"milestone_due", "message_unread"} <= set(by_kind)
    due = by_kind["milestone_due"]
    assert due["milestone"] == milestone.pk and due["engagement"] == engagement.pk
    assert due["key"] == f"milestone_due:{milestone.pk}" and due["url"].startswith("/portal/")


def test_agenda_holds_their_deadlines_and_refuses_a_bad_window(freelancer_api, work_in_progress):
    _, milestone = work_in_progress
    agenda = freelancer_api.get("/api/v1/agenda/").json()["results"]
    assert [a["kind"] for a in agenda if a["title"] == "“Cart” due"] == ["milestone_due"]
    assert freelancer_api.get("/api/v1/agenda/?days=0").status_code == 400
    assert "days" in freelancer_api.get("/api/v1/agenda/?days=x").json()


def test_another_freelancer_sees_none_of_it(work_in_progress, workspace):
    from accounts.tests.factories import UserFactory
    from api.models import TokenRole
    from freelancers.models import Freelancer

    from .conftest import client_with, issue

    user = UserFactory(email="other@example.com")
    other = Freelancer.objects.create(workspace=workspace, name="Other", email="other@example.com", user=user)
    api = client_with(issue(user, workspace, TokenRole.FREELANCER, other))
    assert api.get("/api/v1/money/").json() == {"currencies": [], "engagements": []}
    assert api.get("/api/v1/attention/").json()["results"] == []


def test_without_a_token_401(api_client):
    assert api_client.get("/api/v1/money/").status_code == 401
