"""The dashboard API: `GET /attention/`, `POST /attention/{key}/snooze/`, `GET /money/`,
`GET /agenda/` — the home page's figures for owner and manager tokens, another workspace's data
never shown, a freelancer token 404 until the portal's dashboard answers it."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagements.models import CheckIn, Milestone, MilestoneState
from payments import services
from payments.tests.conftest import fund, new_key, submit
from payments.tests.factories import EngagementFactory, MilestoneFactory


def overdue_engagement(workspace, **kwargs):
    return EngagementFactory(workspace=workspace, next_update_due_at=timezone.now() - timedelta(hours=30), **kwargs)


def test_attention_lists_the_workspaces_items_most_urgent_first(owner_api, workspace, outsider_workspace, owner):
    mine = overdue_engagement(workspace, title="Website redesign")
    overdue_engagement(outsider_workspace, title="Not yours")
    soon = MilestoneFactory(engagement=mine, title="Launch", state=MilestoneState.FUNDED,
                            due_at=timezone.now() + timedelta(days=1, hours=12))

    response = owner_api.get("/api/v1/attention/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2 and body["next"] is None
    first, second = body["results"]
    assert first == {
        "key": f"update_overdue:{mine.pk}", "kind": "update_overdue", "severity": "overdue",
        "title": f"{mine.freelancer.name}'s status update on “Website redesign” is 1 day overdue.",
        "due_at": first["due_at"], "engagement": mine.pk, "freelancer": mine.freelancer_id, "milestone": None,
        "url": f"http://testserver/engagements/{mine.pk}/updates/",
    }
    assert (second["kind"], second["severity"], second["milestone"]) == ("milestone_at_risk", "soon", soon.pk)
    assert "Not yours" not in str(body)


def test_attention_is_paginated_like_every_list(owner_api, workspace):
    for _ in range(3):
        overdue_engagement(workspace)
    body = owner_api.get("/api/v1/attention/?page_size=2").json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]


def test_a_snooze_hides_the_item_for_that_user_only(owner_api, manager_api, workspace):
    engagement = overdue_engagement(workspace)
    key = f"update_overdue:{engagement.pk}"

    response = owner_api.post(f"/api/v1/attention/{key}/snooze/")

    assert response.status_code == 200
    assert response.json()["key"] == key
    assert owner_api.get("/api/v1/attention/").json()["count"] == 0
    assert [i["key"] for i in manager_api.get("/api/v1/attention/").json()["results"]] == [key]


def test_snoozing_another_workspaces_item_is_404(owner_api, outsider_workspace):
    theirs = overdue_engagement(outsider_workspace)
    response = owner_api.post(f"/api/v1/attention/update_overdue:{theirs.pk}/snooze/")
    assert response.status_code == 404
    assert owner_api.post("/api/v1/attention/nonsense/snooze/").status_code == 404


def test_money_gives_the_ledgers_figures_per_currency_and_engagement(owner_api, workspace, outsider_workspace,
                                                                     owner, outsider):
    engagement = EngagementFactory(workspace=workspace, title="Website redesign", budget=1_000_000,
                                   contingency_percent=10)
    design = MilestoneFactory(engagement=engagement, amount=200_000)
    fund(design, owner)
    fund(MilestoneFactory(engagement=engagement, amount=650_000), owner)
    submit(design)
    services.milestone_release(milestone=design, actor=owner, idempotency_key=new_key())
    fund(MilestoneFactory(engagement=EngagementFactory(workspace=outsider_workspace), amount=99_000), outsider)

    body = owner_api.get("/api/v1/money/").json()

    assert body["currencies"] == [{"currency": "USD", "in_escrow": 650_000, "payable": 200_000,
                                   "released_this_month": 200_000, "paid_out_this_month": 0}]
    assert body["engagements"] == [{"id": engagement.pk, "title": "Website redesign", "currency": "USD",
                                    "budget": 1_000_000, "contingency": 100_000, "released": 200_000,
                                    "in_escrow": 650_000, "remaining": 150_000, "alert": True}]
    assert body["held_funds_note"] == "Set aside in your books; money moves when you pay out."


def test_agenda_lists_what_comes_in_the_asked_days(owner_api, workspace, outsider_workspace):
    engagement = EngagementFactory(workspace=workspace, title="Website redesign")
    now = timezone.now()
    due = MilestoneFactory(engagement=engagement, title="Launch", state=MilestoneState.FUNDED,
                           due_at=now + timedelta(days=2))
    CheckIn.objects.create(engagement=engagement, scheduled_at=now + timedelta(days=5))
    CheckIn.objects.create(engagement=EngagementFactory(workspace=outsider_workspace),
                           scheduled_at=now + timedelta(days=1))

    body = owner_api.get("/api/v1/agenda/?days=3").json()

    assert [(i["kind"], i["engagement"]) for i in body["results"]] == [("milestone_due", engagement.pk)]
    assert body["results"][0]["url"] == f"http://testserver/engagements/{engagement.pk}/milestones/{due.pk}/"
    assert [i["kind"] for i in owner_api.get("/api/v1/agenda/").json()["results"]] == ["milestone_due", "checkin"]


def test_agenda_refuses_a_range_it_cannot_give(owner_api):
    response = owner_api.get("/api/v1/agenda/?days=0")
    assert response.status_code == 400 and "days" in response.json()
    assert owner_api.get("/api/v1/agenda/?days=61").status_code == 400


def test_agenda_reads_a_fixed_number_of_queries(owner_api, workspace, django_assert_max_num_queries):
    def add(n):
        for _ in range(n):
            e = EngagementFactory(workspace=workspace)
            Milestone.objects.create(engagement=e, title="M", acceptance_criteria="x", amount=1, position=1,
                                     state=MilestoneState.FUNDED, due_at=timezone.now() + timedelta(days=1))
            CheckIn.objects.create(engagement=e, scheduled_at=timezone.now() + timedelta(days=2))

    add(2)
    with CaptureQueriesContext(connection) as few:
        owner_api.get("/api/v1/agenda/?page_size=100")
    add(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert owner_api.get("/api/v1/agenda/?page_size=100").json()["count"] == 44


def test_a_freelancer_token_gets_their_own_side_and_nothing_to_snooze(freelancer_api):
    # The freelancer's figures are the portal's (api/tests/test_portal_home.py); here: the same
    # endpoints answer a freelancer token with the freelancer's shapes, never the workspace's.
    money = freelancer_api.get("/api/v1/money/").json()
    assert {"held", "in_review", "payable"} <= set(money["currencies"][0]) if money["currencies"] else True
    assert "held_funds_note" not in money
    for path in ("/api/v1/attention/", "/api/v1/agenda/"):
        assert set(freelancer_api.get(path).json()) == {"count", "next", "previous", "results"}
    assert freelancer_api.post("/api/v1/attention/update_overdue:1/snooze/").status_code == 404


def test_without_a_token_it_is_401(api_client, db):
    assert api_client.get("/api/v1/attention/").status_code == 401
    assert api_client.get("/api/v1/money/").status_code == 401
