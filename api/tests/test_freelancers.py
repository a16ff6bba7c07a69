"""The freelancer, reference, interview, decision and scorecard endpoints: the same rules as the
pages, for owner and manager tokens; another workspace's rows and freelancer tokens get 404,
no token 401."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from accounts.models import hash_token
from freelancers.models import Decision, Freelancer, Interview, Reference, ReferenceLink, ReferenceStatus
from freelancers.services import reference as references
from freelancers.services.interview import interview_schedule
from freelancers.services.reference import Answers
from notifications.models import Notification

NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
NEW = {"name": "Nina Newcomer", "email": "Nina@Example.net", "skills": ["Illustration"], "timezone": "Asia/Manila",
       "rate_amount": 3550, "rate_unit": "hour", "currency": "USD"}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def other(outsider_workspace):
    return Freelancer.objects.create(workspace=outsider_workspace, name="Olga Other", email="olga@example.net")


@pytest.fixture
def reference(freelancer):
    return Reference.objects.create(freelancer=freelancer, name="Rita", email="rita@example.org",
                                    relationship="Former client")


@pytest.fixture
def interview(freelancer, owner):
    return interview_schedule(freelancer=freelancer, actor=owner, scheduled_at=NOW + timedelta(days=1))


# --- Freelancers ---------------------------------------------------------------------------------
def test_an_owner_adds_and_lists_freelancers(owner_api, owner, workspace, freelancer, other):
    response = owner_api.post("/api/v1/freelancers/", NEW, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["email"] == "nina@example.net" and body["status"] == "prospect"
    assert body["skills"] == ["illustration"] and body["rate_amount"] == 3550
    listing = owner_api.get("/api/v1/freelancers/").json()
    assert listing["count"] == 2
    assert {row["name"] for row in listing["results"]} == {"Fred Freelancer", "Nina Newcomer"}
    assert Freelancer.objects.get(email="nina@example.net").rate_changes.get().changed_by == owner


def test_the_list_filters(owner_api, workspace):
    for name, status, skills, rate in (("Ann", "approved", ["figma"], 4000), ("Bob", "vetting", ["python"], 9000),
                                       ("Cid", "prospect", ["python"], 2000)):
        Freelancer.objects.create(workspace=workspace, name=name, email=f"{name}@example.net", status=status,
                                  skills=skills, rate_amount=rate, headline=f"{name} does things")

    def names(query):
        response = owner_api.get(f"/api/v1/freelancers/?{query}")
        assert response.status_code == 200, response.json()
        return sorted(row["name"] for row in response.json()["results"])

    assert names("status=approved") == ["Ann"]
    assert names("skill=python") == ["Bob", "Cid"]
    assert names("q=bob") == ["Bob"]
    assert names("rate_min=3000&rate_max=5000") == ["Ann"]
    assert owner_api.get("/api/v1/freelancers/?status=hired").status_code == 400


@pytest.mark.parametrize("field,value,message", [
    ("email", "FRED@example.com", "already in your workspace"),
    ("timezone", "Mars/Base", "not a known time zone"),
    ("rate_amount", -1, "cannot be negative"),
    ("currency", "US1", "three-letter"),
])
def test_bad_input_is_a_400_on_the_field_and_nothing_is_saved(owner_api, freelancer, field, value, message):
    response = owner_api.post("/api/v1/freelancers/", {**NEW, field: value}, format="json")
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert Freelancer.objects.count() == 1


def test_a_manager_patches_a_profile_moves_it_and_marks_do_not_hire(manager_api, manager, freelancer):
    url = f"/api/v1/freelancers/{freelancer.pk}/"
    response = manager_api.patch(url, {"headline": "Illustrator", "rate_amount": 5000, "status": "vetting"},
                                 format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["headline"], response.json()["status"]) == ("Illustrator", "vetting")
    assert manager_api.patch(url, {"do_not_hire": True}, format="json").json() == {
        "do_not_hire_reason": ["Say why this person should not be hired."]}
    body = manager_api.patch(url, {"do_not_hire": True, "do_not_hire_reason": "Ghosted us"}, format="json").json()
    assert body["do_not_hire"] is True and body["do_not_hire_reason"] == "Ghosted us"
    assert manager_api.patch(url, {"do_not_hire": False}, format="json").json()["do_not_hire"] is False
    assert freelancer.events.filter(actor=manager).count() == 3


def test_approving_through_patch_is_a_409_pointing_at_the_decision(owner_api, freelancer):
    response = owner_api.patch(f"/api/v1/freelancers/{freelancer.pk}/", {"status": "approved"}, format="json")
    assert response.status_code == 409 and "decision" in response.json()["detail"]


def test_an_invalid_move_is_a_409(owner_api, freelancer):
    freelancer.status = "rejected"
    freelancer.save()
    Freelancer.objects.filter(pk=freelancer.pk).update(status="approved")
    # approved → prospect is not in the table
    response = owner_api.patch(f"/api/v1/freelancers/{freelancer.pk}/", {"status": "prospect"}, format="json")
    assert response.status_code == 409 and "cannot move from approved to prospect" in response.json()["detail"]


# --- References ----------------------------------------------------------------------------------
def test_references_are_added_requested_and_answered(owner_api, owner, freelancer):
    url = f"/api/v1/freelancers/{freelancer.pk}/references/"
    created = owner_api.post(url, {"name": "Rita", "email": "rita@example.org", "relationship": "Client"},
                             format="json")
    assert created.status_code == 201 and created.json()["status"] == "draft"
    ref_id = created.json()["id"]
    requested = owner_api.post(f"/api/v1/references/{ref_id}/request/")
    assert requested.status_code == 200
    assert requested.json()["status"] == "requested"
    assert requested.json()["expires_at"].startswith("2026-04-15T12:00:00")
    link = Notification.objects.get(kind="reference_request").context["questionnaire_url"]
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert ReferenceLink.objects.get(reference_id=ref_id).token_hash == hash_token(token)
    references.reference_answer(token=token, answers=Answers(5, 4, 3, 4, True, "Good"))
    body = owner_api.get(f"/api/v1/references/{ref_id}/").json()
    assert body["answers"] == {"quality": 5, "reliability": 4, "communication": 3, "deadlines": 4,
                               "would_rehire": True, "what_to_know": "Good"}
    assert owner_api.post(f"/api/v1/references/{ref_id}/request/").status_code == 409
    listed = owner_api.get(url).json()
    assert listed["count"] == 1 and [r["id"] for r in listed["results"]] == [ref_id]


def test_the_references_and_interviews_of_a_freelancer_are_paginated_lists(owner_api, owner, freelancer):
    for i in range(3):
        references.reference_create(freelancer=freelancer, name=f"Ref {i}", email=f"ref{i}@example.org",
                                    relationship="Client")
    page = owner_api.get(f"/api/v1/freelancers/{freelancer.pk}/references/?page_size=2").json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"] and page["previous"] is None
    assert [r["name"] for r in page["results"]] == ["Ref 0", "Ref 1"]
    empty = owner_api.get(f"/api/v1/freelancers/{freelancer.pk}/interviews/").json()
    assert empty == {"count": 0, "next": None, "previous": None, "results": []}


def test_a_referee_cannot_be_the_freelancer(owner_api, freelancer):
    response = owner_api.post(f"/api/v1/freelancers/{freelancer.pk}/references/",
                              {"name": "Me", "email": freelancer.email, "relationship": "Myself"}, format="json")
    assert response.status_code == 400 and "email" in response.json()


# --- Interviews ----------------------------------------------------------------------------------
def test_interviews_are_scheduled_in_utc_and_scored(owner_api, freelancer):
    url = f"/api/v1/freelancers/{freelancer.pk}/interviews/"
    response = owner_api.post(url, {"scheduled_at": "2026-04-03T10:00:00-04:00", "kind": "technical",
                                    "meeting_url": "https://meet.example.com/x"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["scheduled_at"] in ("2026-04-03T14:00:00Z", "2026-04-03T14:00:00+00:00")
    assert body["duration_minutes"] == 15
    assert Notification.objects.get(kind="interview_invitation").attachments[0]["filename"] == "interview.ics"
    patched = owner_api.patch(f"/api/v1/interviews/{body['id']}/", {
        "scores": {"Communication": 4, "Professionalism": 5}, "red_flags": ["scope"], "outcome": "advance",
    }, format="json")
    assert patched.status_code == 200, patched.json()
    assert patched.json()["scores"] == {"Communication": 4, "Professionalism": 5}
    assert patched.json()["red_flags"] == ["scope"] and patched.json()["outcome"] == "advance"
    # A partial update keeps the rest of the scorecard.
    notes = owner_api.patch(f"/api/v1/interviews/{body['id']}/", {"notes": "Solid"}, format="json").json()
    assert notes["scores"] == {"Communication": 4, "Professionalism": 5} and notes["notes"] == "Solid"


@pytest.mark.parametrize("payload,field", [
    ({"scheduled_at": "2026-03-31T10:00:00Z"}, "scheduled_at"),
    ({"scheduled_at": "2026-04-03T10:00:00"}, "scheduled_at"),
    ({"scheduled_at": "2026-04-03T10:00:00Z", "duration_minutes": 0}, "duration_minutes"),
    ({"scheduled_at": "2026-04-03T12:99:00Z"}, "scheduled_at"),
])
def test_bad_interview_input_is_a_400(owner_api, freelancer, payload, field):
    response = owner_api.post(f"/api/v1/freelancers/{freelancer.pk}/interviews/", payload, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not Interview.objects.exists()


@pytest.mark.parametrize("scores", [{"Communication": 0}, {"Communication": 6}, {"Charisma": 3}])
def test_a_score_outside_1_to_5_or_an_unknown_criterion_is_a_400(owner_api, interview, scores):
    response = owner_api.patch(f"/api/v1/interviews/{interview.pk}/", {"scores": scores}, format="json")
    assert response.status_code == 400 and "scores" in response.json()
    assert not interview.scores.exists()


def test_rescheduling_through_patch(owner_api, interview):
    response = owner_api.patch(f"/api/v1/interviews/{interview.pk}/",
                               {"scheduled_at": "2026-04-05T09:30:00+02:00"}, format="json")
    assert response.status_code == 200
    interview.refresh_from_db()
    assert interview.scheduled_at == datetime(2026, 4, 5, 7, 30, tzinfo=UTC) and interview.sequence == 1


# --- Scorecard and decision ----------------------------------------------------------------------
def test_the_scorecard_and_a_confirmed_decision(owner_api, owner, freelancer, interview):
    freelancer.status = "vetting"
    freelancer.save()
    Reference.objects.create(freelancer=freelancer, name="A", email="a@example.org", relationship="x",
                             status=ReferenceStatus.RECEIVED, quality=5, reliability=5, communication=4, deadlines=4,
                             would_rehire=True)
    owner_api.patch(f"/api/v1/interviews/{interview.pk}/", {"scores": {"Communication": 3}, "red_flags": ["timeline"]},
                    format="json")
    card = owner_api.get(f"/api/v1/freelancers/{freelancer.pk}/scorecard/").json()
    assert card["references"]["received"] == 1 and card["references"]["overall"] == 4.5
    assert card["references"]["averages"]["quality"] == 5.0
    assert card["interviews"]["criteria"] == [{"criterion": "Communication", "average": 3.0, "count": 1}]
    assert card["red_flags"][0]["flag"] == "timeline"
    assert len(card["warnings"]) == 2 and card["trial"] == []

    url = f"/api/v1/freelancers/{freelancer.pk}/decision/"
    unconfirmed = owner_api.post(url, {"decision": "approved", "reason": "Good"}, format="json")
    assert unconfirmed.status_code == 400 and "confirm" in unconfirmed.json()
    assert owner_api.post(url, {"decision": "approved"}, format="json").status_code == 400
    confirmed = owner_api.post(url, {"decision": "approved", "reason": "Good", "confirm": True}, format="json")
    assert confirmed.status_code == 201
    assert confirmed.json()["decided_by"] == owner.email and confirmed.json()["confirmed_warnings"] is True
    freelancer.refresh_from_db()
    assert freelancer.status == "approved" and Decision.objects.count() == 1
    assert owner_api.post(url, {"decision": "approved", "reason": "x", "confirm": True},
                          format="json").status_code == 409


# --- Who may see what ----------------------------------------------------------------------------
def endpoints(freelancer, reference, interview):
    f, r, i = freelancer.pk, reference.pk, interview.pk
    return [
        ("get", f"/api/v1/freelancers/{f}/", None),
        ("patch", f"/api/v1/freelancers/{f}/", {"headline": "x"}),
        ("post", f"/api/v1/freelancers/{f}/decision/", {"decision": "rejected", "reason": "x"}),
        ("get", f"/api/v1/freelancers/{f}/scorecard/", None),
        ("get", f"/api/v1/freelancers/{f}/references/", None),
        ("post", f"/api/v1/freelancers/{f}/references/", {"name": "x", "email": "x@example.org",
                                                          "relationship": "x"}),
        ("get", f"/api/v1/freelancers/{f}/interviews/", None),
        ("post", f"/api/v1/freelancers/{f}/interviews/", {"scheduled_at": "2026-05-01T10:00:00Z"}),
        ("get", f"/api/v1/references/{r}/", None),
        ("post", f"/api/v1/references/{r}/request/", None),
        ("get", f"/api/v1/interviews/{i}/", None),
        ("patch", f"/api/v1/interviews/{i}/", {"notes": "x"}),
    ]


def state():
    return (list(Freelancer.objects.values_list("headline", "status").order_by("pk")),
            Reference.objects.count(), list(Reference.objects.values_list("status", flat=True)),
            Interview.objects.count(), list(Interview.objects.values_list("notes", flat=True)),
            Decision.objects.count())


def test_another_workspace_gets_404_everywhere_and_changes_nothing(outsider_api, freelancer, reference, interview,
                                                                    other):
    before = state()
    for method, url, data in endpoints(freelancer, reference, interview):
        response = getattr(outsider_api, method)(url, data, format="json")
        assert response.status_code == 404, (method, url)
    assert state() == before
    listing = outsider_api.get("/api/v1/freelancers/").json()
    assert [row["name"] for row in listing["results"]] == ["Olga Other"]


def test_a_freelancer_token_sees_nothing_here(freelancer_api, freelancer, reference, interview):
    before = state()
    for method, url, data in endpoints(freelancer, reference, interview) + [("get", "/api/v1/freelancers/", None)]:
        response = getattr(freelancer_api, method)(url, data, format="json")
        assert response.status_code == 404, (method, url)
    assert state() == before


def test_no_token_is_a_401(api_client, freelancer, reference, interview):
    for method, url, data in endpoints(freelancer, reference, interview) + [("get", "/api/v1/freelancers/", None)]:
        response = getattr(api_client, method)(url, data, format="json")
        assert response.status_code == 401, (method, url)
        assert response["WWW-Authenticate"] == "Token"


def test_a_manager_token_sees_the_workspace(manager_api, freelancer, reference, interview):
    for method, url, _ in endpoints(freelancer, reference, interview):
        if method == "get":
            assert manager_api.get(url).status_code == 200, url


def test_huge_ids_are_404_not_500(owner_api):
    assert owner_api.get(f"/api/v1/freelancers/{2**70}/").status_code == 404
    assert owner_api.get(f"/api/v1/interviews/{2**70}/").status_code == 404


@pytest.mark.parametrize("method", ["get", "post", "patch", "put", "delete"])
def test_a_malformed_id_is_a_json_404_for_every_method(owner_api, api_client, method):
    for url in ("/api/v1/freelancers/abc/", "/api/v1/references/null,null/request/", "/api/v1/interviews/-1/"):
        response = getattr(owner_api, method)(url, {}, format="json")
        assert response.status_code == 404 and response["Content-Type"] == "application/json", (method, url)
        assert getattr(api_client, method)(url, {}, format="json").status_code == 401


def test_a_missing_slash_gets_a_hint(owner_api, freelancer):
    response = owner_api.get(f"/api/v1/freelancers/{freelancer.pk}")
    assert response.status_code == 404
    assert response.json()["detail"] == (
        f"Not found. Did you mean /api/v1/freelancers/{freelancer.pk}/ (with a trailing slash)?")
