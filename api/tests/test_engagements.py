"""The engagement, brief, milestone, status-update and check-in endpoints, per role: owner and
manager tokens act on their workspace, a freelancer token does the freelancer's part on their
own engagements only, everything else is 404; state conflicts are 409."""

from datetime import datetime, timedelta
from urllib.parse import urlparse

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.tests.factories import UserFactory
from api.models import TokenRole
from api.tests.conftest import client_with, issue
from engagements.models import Engagement, EngagementStatus, Milestone, MilestoneState
from engagements.services import access as grants
from engagements.services.transitions import milestone_transition
from freelancers.models import Freelancer

pytestmark = pytest.mark.django_db

BRIEF = {"goal": "A faster checkout", "deliverables": "Figma + React", "acceptance_criteria": "Three steps"}


@pytest.fixture
def engagement(owner_api, freelancer):
    response = owner_api.post("/api/v1/engagements/", {"freelancer": freelancer.pk, "title": "Checkout",
                                                       "budget": 200000}, format="json")
    assert response.status_code == 201, response.json()
    return Engagement.objects.get(pk=response.json()["id"])


@pytest.fixture
def offered(owner_api, engagement):
    assert owner_api.post(f"/api/v1/engagements/{engagement.pk}/briefs/", BRIEF, format="json").status_code == 201
    response = owner_api.post(f"/api/v1/engagements/{engagement.pk}/milestones/",
                              {"title": "Design", "acceptance_criteria": "As briefed", "amount": 100000},
                              format="json")
    assert response.status_code == 201
    assert owner_api.post(f"/api/v1/engagements/{engagement.pk}/offer/", {}, format="json").status_code == 200
    engagement.refresh_from_db()
    return engagement


@pytest.fixture
def active(offered, freelancer_api):
    brief_id = freelancer_api.get(f"/api/v1/engagements/{offered.pk}/briefs/").json()["results"][0]["id"]
    assert freelancer_api.post(f"/api/v1/briefs/{brief_id}/acknowledge/").status_code == 200
    offered.refresh_from_db()
    return offered


@pytest.fixture
def funded(active):
    milestone = active.milestones.get()
    milestone_transition(milestone_id=milestone.pk, to_state=MilestoneState.FUNDED)
    return milestone


@pytest.fixture
def other_freelancer_api(workspace):
    user = UserFactory(email="olive@example.com")
    other = Freelancer.objects.create(workspace=workspace, name="Olive", email="olive@example.com", user=user)
    return client_with(issue(user, workspace, TokenRole.FREELANCER, other))


# --- Engagements -----------------------------------------------------------------------------------
def test_owner_creates_and_manager_reads(engagement, manager_api):
    body = manager_api.get(f"/api/v1/engagements/{engagement.pk}/").json()
    assert body["status"] == "draft" and body["budget"] == 200000 and body["currency"] == "USD"
    listing = manager_api.get("/api/v1/engagements/").json()
    assert listing["count"] == 1 and listing["results"][0]["id"] == engagement.pk


def test_bad_input_is_400_with_field_errors(owner_api, freelancer):
    response = owner_api.post("/api/v1/engagements/", {"freelancer": freelancer.pk, "title": "X",
                                                       "pay_terms": "hourly"}, format="json")
    assert response.status_code == 400 and "weekly_hour_cap" in response.json()
    response = owner_api.post("/api/v1/engagements/", {"freelancer": 999999, "title": "X"}, format="json")
    assert response.status_code == 400 and "freelancer" in response.json()


def test_another_workspace_gets_404(engagement, outsider_api):
    for url in (f"/api/v1/engagements/{engagement.pk}/", f"/api/v1/engagements/{engagement.pk}/briefs/",
                f"/api/v1/engagements/{engagement.pk}/milestones/", f"/api/v1/engagements/{engagement.pk}/check-ins/",
                f"/api/v1/engagements/{engagement.pk}/status-updates/"):
        assert outsider_api.get(url).status_code == 404, url
    assert outsider_api.patch(f"/api/v1/engagements/{engagement.pk}/", {"title": "Mine"},
                              format="json").status_code == 404
    assert outsider_api.post(f"/api/v1/engagements/{engagement.pk}/cancel/").status_code == 404
    assert outsider_api.get("/api/v1/engagements/").json()["count"] == 0


def test_no_token_is_401(api_client, engagement):
    assert api_client.get(f"/api/v1/engagements/{engagement.pk}/").status_code == 401


def test_a_freelancer_sees_only_their_own_engagements(engagement, freelancer_api, other_freelancer_api):
    assert freelancer_api.get("/api/v1/engagements/").json()["count"] == 1
    assert freelancer_api.get(f"/api/v1/engagements/{engagement.pk}/").status_code == 200
    assert other_freelancer_api.get("/api/v1/engagements/").json()["count"] == 0
    assert other_freelancer_api.get(f"/api/v1/engagements/{engagement.pk}/").status_code == 404


def test_a_freelancer_cannot_do_the_owners_part(engagement, freelancer_api, freelancer):
    assert freelancer_api.post("/api/v1/engagements/", {"freelancer": freelancer.pk, "title": "Me"},
                               format="json").status_code == 404
    assert freelancer_api.patch(f"/api/v1/engagements/{engagement.pk}/", {"budget": 1},
                                format="json").status_code == 404
    assert freelancer_api.post(f"/api/v1/engagements/{engagement.pk}/briefs/", BRIEF,
                               format="json").status_code == 404
    assert freelancer_api.post(f"/api/v1/engagements/{engagement.pk}/offer/").status_code == 404


def test_patching_the_cadence_recomputes_the_deadline(active, owner_api):
    before = active.next_update_due_at
    body = owner_api.patch(f"/api/v1/engagements/{active.pk}/", {"update_every_days": 10}, format="json").json()
    after = datetime.fromisoformat(body["next_update_due_at"])
    assert after - before == timedelta(days=7)


def test_the_at_risk_filter(active, owner_api):
    assert owner_api.get("/api/v1/engagements/?at_risk=true").json()["count"] == 0
    Engagement.objects.filter(pk=active.pk).update(next_update_due_at=timezone.now() - timedelta(hours=1))
    assert owner_api.get("/api/v1/engagements/?at_risk=true").json()["count"] == 1


# --- Lifecycle and briefs ---------------------------------------------------------------------------
def test_offering_without_a_brief_is_409(engagement, owner_api):
    response = owner_api.post(f"/api/v1/engagements/{engagement.pk}/offer/")
    assert response.status_code == 409 and "brief" in response.json()["detail"]


def test_the_freelancer_never_sees_an_unsent_brief(engagement, owner_api, freelancer_api):
    brief_id = owner_api.post(f"/api/v1/engagements/{engagement.pk}/briefs/", BRIEF, format="json").json()["id"]
    assert freelancer_api.get(f"/api/v1/engagements/{engagement.pk}/briefs/").json()["results"] == []
    assert freelancer_api.get(f"/api/v1/briefs/{brief_id}/").status_code == 404


def test_acknowledging_starts_the_work_and_old_versions_are_refused(offered, owner_api, freelancer_api):
    v1 = freelancer_api.get(f"/api/v1/engagements/{offered.pk}/briefs/").json()["results"][0]
    assert owner_api.post(f"/api/v1/briefs/{v1['id']}/acknowledge/").status_code == 404  # the freelancer's part
    body = freelancer_api.post(f"/api/v1/briefs/{v1['id']}/acknowledge/").json()
    assert body["acknowledged_at"]
    assert freelancer_api.get(f"/api/v1/engagements/{offered.pk}/").json()["status"] == "active"
    missing = owner_api.post(f"/api/v1/engagements/{offered.pk}/briefs/", {**BRIEF, "goal": "Faster"},
                             format="json")
    assert missing.status_code == 400 and "change_summary" in missing.json()
    v2 = owner_api.post(f"/api/v1/engagements/{offered.pk}/briefs/",
                        {**BRIEF, "goal": "Faster", "change_summary": "Speed"}, format="json")
    assert v2.status_code == 201 and v2.json()["version"] == 2
    stale = freelancer_api.post(f"/api/v1/briefs/{v1['id']}/acknowledge/")
    assert stale.status_code == 409 and "version 2" in stale.json()["detail"]
    assert freelancer_api.post(f"/api/v1/briefs/{v2.json()['id']}/acknowledge/").status_code == 200


def test_questions_and_answers(offered, owner_api, freelancer_api):
    brief_id = freelancer_api.get(f"/api/v1/engagements/{offered.pk}/briefs/").json()["results"][0]["id"]
    asked = freelancer_api.post(f"/api/v1/briefs/{brief_id}/questions/", {"body": "Which browsers?"}, format="json")
    assert asked.status_code == 201
    assert owner_api.post(f"/api/v1/briefs/{brief_id}/questions/", {"body": "?"}, format="json").status_code == 404
    question_id = asked.json()["id"]
    assert freelancer_api.post(f"/api/v1/questions/{question_id}/answer/", {"answer": "x"},
                               format="json").status_code == 404
    assert owner_api.post(f"/api/v1/questions/{question_id}/answer/", {"answer": "Evergreen ones"},
                          format="json").status_code == 200
    listing = freelancer_api.get(f"/api/v1/briefs/{brief_id}/questions/").json()["results"]
    assert listing[0]["answer"] == "Evergreen ones"


def test_pause_resume_complete(active, owner_api):
    grant = grants.access_grant_create(engagement=active, actor=None, label="CMS", secret="pw")
    assert owner_api.post(f"/api/v1/engagements/{active.pk}/pause/", {"reason": "Holidays"},
                          format="json").json()["status"] == "paused"
    assert owner_api.post(f"/api/v1/engagements/{active.pk}/complete/").status_code == 409
    assert owner_api.post(f"/api/v1/engagements/{active.pk}/resume/").json()["status"] == "active"
    body = owner_api.post(f"/api/v1/engagements/{active.pk}/complete/", {"reason": "Done"}, format="json").json()
    assert body["status"] == "completed" and body["end_reason"] == "Done"
    grant.refresh_from_db()
    assert grant.revoked_at is not None


def test_ending_while_money_is_held_is_409(funded, owner_api):
    response = owner_api.post(f"/api/v1/engagements/{funded.engagement_id}/cancel/")
    assert response.status_code == 409 and "Settle" in response.json()["detail"]
    assert Engagement.objects.get(pk=funded.engagement_id).status == EngagementStatus.ACTIVE


# --- Milestones -----------------------------------------------------------------------------------
def test_milestone_budget_rules(engagement, owner_api):
    url = f"/api/v1/engagements/{engagement.pk}/milestones/"
    fine = owner_api.post(url, {"title": "A", "acceptance_criteria": "ok", "amount": 200000}, format="json")
    assert fine.status_code == 201 and fine.json()["warnings"] == []
    warned = owner_api.post(url, {"title": "B", "acceptance_criteria": "ok", "amount": 10000}, format="json")
    assert warned.status_code == 201 and "above the budget" in warned.json()["warnings"][0]
    refused = owner_api.post(url, {"title": "C", "acceptance_criteria": "ok", "amount": 50000}, format="json")
    assert refused.status_code == 400 and "amount" in refused.json()
    confirmed = owner_api.post(url, {"title": "C", "acceptance_criteria": "ok", "amount": 50000,
                                     "confirm_over_budget": True}, format="json")
    assert confirmed.status_code == 201
    assert owner_api.get(url).json()["count"] == 3


def test_the_amount_of_a_funded_milestone_cannot_change(funded, owner_api):
    response = owner_api.patch(f"/api/v1/milestones/{funded.pk}/", {"amount": 1}, format="json")
    assert response.status_code == 409
    renamed = owner_api.patch(f"/api/v1/milestones/{funded.pk}/", {"title": "Design v2"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["title"] == "Design v2"


def test_submitting_a_milestone_that_is_not_funded_is_409(active, freelancer_api):
    milestone = active.milestones.get()
    response = freelancer_api.post(f"/api/v1/milestones/{milestone.pk}/submit/",
                                   {"message": "Done", "attest_own_work": True}, format="json")
    assert response.status_code == 409
    assert response.json()["detail"] == "A milestone that is “Draft” cannot become “Submitted”."


def test_submit_and_request_changes_per_role(funded, owner_api, freelancer_api, other_freelancer_api, manager_api):
    url = f"/api/v1/milestones/{funded.pk}/submit/"
    assert owner_api.post(url, {"message": "x", "attest_own_work": True}, format="json").status_code == 404
    assert other_freelancer_api.post(url, {"message": "x", "attest_own_work": True}, format="json").status_code == 404
    unattested = freelancer_api.post(url, {"message": "Done"}, format="json")
    assert unattested.status_code == 400 and "attest_own_work" in unattested.json()
    body = freelancer_api.post(url, {"message": "Done", "links": ["https://figma.com/f/1"], "attest_own_work": True},
                               format="json").json()
    assert body["state"] == "submitted" and body["submissions"][0]["links"] == ["https://figma.com/f/1"]
    changes = f"/api/v1/milestones/{funded.pk}/request-changes/"
    assert freelancer_api.post(changes, {"feedback": "x"}, format="json").status_code == 404
    body = manager_api.post(changes, {"feedback": "Bigger buttons"}, format="json").json()
    assert body["state"] == "changes_requested" and body["submissions"][0]["feedback"] == "Bigger buttons"
    assert manager_api.post(changes, {"feedback": "again"}, format="json").status_code == 409
    again = freelancer_api.post(url, {"message": "Round 2", "attest_own_work": True}, format="json").json()
    assert [s["round"] for s in again["submissions"]] == [1, 2]


def test_files_are_submitted_as_multipart(funded, freelancer_api, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    response = freelancer_api.post(f"/api/v1/milestones/{funded.pk}/submit/",
                                   {"message": "Files", "attest_own_work": "true", "files": [upload]},
                                   format="multipart")
    assert response.status_code == 200, response.json()
    assert response.json()["submissions"][0]["files"][0]["name"] == "notes.txt"


def test_a_file_that_lies_about_its_type_is_400(funded, freelancer_api, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("photo.png", b"MZ not an image", content_type="image/png")
    response = freelancer_api.post(f"/api/v1/milestones/{funded.pk}/submit/",
                                   {"message": "x", "attest_own_work": "true", "files": [upload]}, format="multipart")
    assert response.status_code == 400
    assert Milestone.objects.get(pk=funded.pk).state == MilestoneState.FUNDED


# --- Status updates and check-ins --------------------------------------------------------------------
def test_status_updates_per_role(active, owner_api, freelancer_api, outsider_api):
    url = f"/api/v1/engagements/{active.pk}/status-updates/"
    update = {"done": "Wireframes", "next": "Visuals", "percent_complete": 30, "hours": "7.5"}
    assert owner_api.post(url, update, format="json").status_code == 404
    created = freelancer_api.post(url, update, format="json")
    assert created.status_code == 201 and created.json()["late"] is False and created.json()["hours"] == 7.5
    assert freelancer_api.post(url, {**update, "percent_complete": 101}, format="json").status_code == 400
    assert owner_api.get(url).json()["count"] == 1
    assert outsider_api.get(url).status_code == 404


def test_a_status_update_before_the_work_starts_is_409(offered, freelancer_api):
    response = freelancer_api.post(f"/api/v1/engagements/{offered.pk}/status-updates/",
                                   {"done": "a", "next": "b", "percent_complete": 0}, format="json")
    assert response.status_code == 409


def test_check_ins_per_role(active, owner_api, freelancer_api):
    url = f"/api/v1/engagements/{active.pk}/check-ins/"
    soon = (timezone.now() + timedelta(days=1)).replace(microsecond=0).isoformat()
    scheduled = owner_api.post(url, {"scheduled_at": soon, "agenda": "Demo"}, format="json")
    assert scheduled.status_code == 201 and scheduled.json()["happened"] is None
    active.refresh_from_db()
    assert active.next_checkin_at.isoformat() == soon
    past = (timezone.now() - timedelta(days=1)).replace(microsecond=0).isoformat()
    recorded = owner_api.post(url, {"scheduled_at": past, "notes": "Good", "happened": True}, format="json")
    assert recorded.json()["status"] == "happened" and recorded.json()["happened"] is True
    assert owner_api.post(url, {"scheduled_at": "2030-01-01T10:00:00"}, format="json").status_code == 400
    assert freelancer_api.post(url, {"scheduled_at": soon}, format="json").status_code == 404
    assert freelancer_api.get(url).json()["count"] == 2


def test_the_schema_lists_the_engagement_endpoints(owner_api):
    paths = owner_api.get("/api/v1/schema/?format=json").json()["paths"]
    for path in ("/api/v1/engagements/", "/api/v1/engagements/{id}/offer/", "/api/v1/briefs/{id}/acknowledge/",
                 "/api/v1/milestones/{id}/submit/", "/api/v1/milestones/{id}/request-changes/",
                 "/api/v1/engagements/{id}/status-updates/", "/api/v1/engagements/{id}/check-ins/"):
        assert path in paths, path
    assert "409" in paths["/api/v1/milestones/{id}/submit/"]["post"]["responses"]


def test_a_submission_through_the_api_starts_the_owners_review_clock(funded, freelancer_api):
    """The API hands in work through the same payments path as the portal, so the
    auto-release deadline exists from the moment of submission, not a sweep later."""
    with time_machine.travel("2026-03-02 10:00:00+00:00", tick=False):
        body = freelancer_api.post(f"/api/v1/milestones/{funded.pk}/submit/",
                                   {"message": "Done", "attest_own_work": True}, format="json").json()
        funded.refresh_from_db()
        assert funded.review_deadline_at == timezone.now() + timezone.timedelta(days=14)
    assert body["review_deadline_at"] is not None


def test_an_offer_to_a_freelancer_without_a_login_is_one_email_whose_link_opens(
        owner_api, workspace, celery_eager, mailoutbox, django_capture_on_commit_callbacks, client):
    newcomer = Freelancer.objects.create(workspace=workspace, name="Nia New", email="nia@example.net",
                                         status="approved")
    engagement_id = owner_api.post("/api/v1/engagements/", {"freelancer": newcomer.pk, "title": "Landing page",
                                                            "budget": 100000}, format="json").json()["id"]
    owner_api.post(f"/api/v1/engagements/{engagement_id}/briefs/", BRIEF, format="json")
    owner_api.post(f"/api/v1/engagements/{engagement_id}/milestones/",
                   {"title": "Design", "acceptance_criteria": "As briefed", "amount": 50000}, format="json")

    with django_capture_on_commit_callbacks(execute=True):
        assert owner_api.post(f"/api/v1/engagements/{engagement_id}/offer/").status_code == 200

    [email] = [m for m in mailoutbox if m.to == ["nia@example.net"]]
    assert "Landing page" in email.subject and BRIEF["goal"] in email.body
    link = next(line.strip() for line in email.body.splitlines() if "/portal/invite/" in line)
    page = client.get(urlparse(link).path, follow=True)
    assert page.status_code == 200 and "Nia" in page.content.decode()


def test_a_past_due_date_is_400_naming_it_unless_confirmed(owner_api, engagement):
    body = {"title": "Late", "acceptance_criteria": "ok", "amount": 100,
            "due_on": (timezone.localdate() - timedelta(days=3)).isoformat()}
    response = owner_api.post(f"/api/v1/engagements/{engagement.pk}/milestones/", body, format="json")
    assert response.status_code == 400 and "in the past" in response.json()["due_on"][0]
    assert owner_api.post(f"/api/v1/engagements/{engagement.pk}/milestones/", {**body, "confirm_past_due": True},
                          format="json").status_code == 201
