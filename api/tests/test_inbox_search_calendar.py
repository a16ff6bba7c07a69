"""The dashboard issue's inbox, search and calendar endpoints: the same rows and rules as the
pages, any token, other people's rows 404."""

import pytest
from icalendar import Calendar

from engagements.services.lifecycle import engagement_create, engagement_offer
from engagements.services.milestone import milestone_create
from notifications.services import notify

pytestmark = pytest.mark.django_db


def overdue(workspace, email, n):
    notification, _ = notify(
        kind="update_overdue", recipient_email=email, workspace=workspace, dedupe_key=f"api:{email}:{n}",
        context={"freelancer_name": "Fred", "engagement_title": "Logo", "days_silent": 2, "due": "Mon",
                 "url": "http://127.0.0.1:8000/engagements/3/"})
    return notification


def test_the_inbox_lists_the_users_notices_with_the_unread_count(owner_api, owner, workspace, manager):
    overdue(workspace, owner.email, 1)
    overdue(workspace, owner.email, 2)
    overdue(workspace, manager.email, 3)
    body = owner_api.get("/api/v1/inbox/").json()
    assert body["unread"] == 2 and body["count"] == 2
    first = body["results"][0]
    assert set(first) == {"id", "kind", "title", "body", "url", "created_at", "read_at"}
    assert first["title"] == "No update from Fred on Logo for 2 days"
    assert first["url"] == "http://testserver/engagements/3/" and first["read_at"] is None


def test_read_one_and_read_all(owner_api, owner, workspace):
    a, _b, _c = (overdue(workspace, owner.email, n) for n in range(3))
    response = owner_api.post(f"/api/v1/inbox/{a.pk}/read/")
    assert response.status_code == 200 and response.json()["read_at"]
    assert owner_api.get("/api/v1/inbox/").json()["unread"] == 2
    assert owner_api.post("/api/v1/inbox/read-all/").json() == {"marked": 2, "unread": 0}
    assert owner_api.get("/api/v1/inbox/").json()["unread"] == 0


def test_someone_elses_notice_is_404(owner_api, manager_api, outsider_api, workspace, manager, outsider,
                                     outsider_workspace):
    theirs = overdue(workspace, manager.email, 1)
    foreign = overdue(outsider_workspace, outsider.email, 2)
    assert owner_api.post(f"/api/v1/inbox/{theirs.pk}/read/").status_code == 404
    assert owner_api.post(f"/api/v1/inbox/{foreign.pk}/read/").status_code == 404
    assert manager_api.post(f"/api/v1/inbox/{theirs.pk}/read/").status_code == 200


def test_a_freelancer_token_reads_the_freelancers_inbox(freelancer_api, freelancer, workspace, owner):
    overdue(workspace, freelancer.email, 1)
    overdue(workspace, owner.email, 2)
    assert freelancer_api.get("/api/v1/inbox/").json()["count"] == 1


def test_no_token_is_401(api_client):
    for path in ("/api/v1/inbox/", "/api/v1/search/?q=x", "/api/v1/calendar/"):
        assert api_client.get(path).status_code == 401


@pytest.fixture
def offered(workspace, owner, freelancer):
    from engagements.services.brief import brief_save

    engagement = engagement_create(workspace=workspace, created_by=owner, freelancer=freelancer,
                                   title="Logo refresh", budget=1000, currency="USD")
    brief_save(engagement=engagement, actor=owner, goal="A new logo.", deliverables="SVG",
               acceptance_criteria="Approved by the board.")
    milestone_create(engagement=engagement, actor=owner, title="Sketches", acceptance_criteria="Three ideas",
                     amount=500)
    engagement_offer(engagement=engagement, actor=owner)
    return engagement


def test_search_is_scoped_and_typed(owner_api, outsider_api, freelancer_api, offered, workspace, owner, freelancer):
    other = engagement_create(workspace=workspace, created_by=owner, freelancer=freelancer, title="Logo draft",
                              budget=10, currency="USD")
    body = owner_api.get("/api/v1/search/", {"q": "logo"}).json()
    types = [(hit["type"], hit["title"]) for hit in body["results"]]
    assert ("engagement", "Logo refresh") in types and ("engagement", "Logo draft") in types
    assert all(hit["url"].startswith("http://testserver/") for hit in body["results"])
    assert outsider_api.get("/api/v1/search/", {"q": "logo"}).json() == {"results": []}
    # A freelancer sees what was offered to them, never a draft.
    mine = freelancer_api.get("/api/v1/search/", {"q": "logo"}).json()["results"]
    assert ("engagement", offered.pk) in {(h["type"], h["id"]) for h in mine}
    assert other.pk not in {h["id"] for h in mine if h["type"] == "engagement"}
    assert all("/portal/" in h["url"] for h in mine)


def test_search_without_words_is_400_naming_q(owner_api):
    response = owner_api.get("/api/v1/search/")
    assert response.status_code == 400 and "q" in response.json()


def test_calendar_url_works_and_rotating_ends_the_old_one(owner_api, freelancer_api, api_client, offered):
    url = owner_api.get("/api/v1/calendar/").json()["url"]
    assert owner_api.get("/api/v1/calendar/").json()["url"] == url  # the same until rotated
    path = url.removeprefix("http://testserver")
    assert Calendar.from_ical(api_client.get(path).content)["VERSION"] == "2.0"
    new = owner_api.post("/api/v1/calendar/rotate/").json()["url"]
    assert new != url
    assert api_client.get(path).status_code == 404
    assert api_client.get(new.removeprefix("http://testserver")).status_code == 200
    mine = freelancer_api.get("/api/v1/calendar/").json()["url"]
    assert mine not in (url, new)
    assert api_client.get(mine.removeprefix("http://testserver")).status_code == 200
