"""One engagement as its freelancer sees it, page by page: each action goes through the
engagements action (so the owner's timeline shows it), and each page shows what the freelancer
should see and nothing they should not."""

import zoneinfo
from datetime import datetime

import pytest
import time_machine

from engagements import selectors
from engagements.models import AccessReveal, Activity, EngagementStatus, StatusUpdate
from engagements.services import lifecycle as services
from engagements.services import playbook

from ..conftest import SECRET_MARK, start_engagement

pytestmark = pytest.mark.django_db


def _kinds(engagement):
    return list(Activity.objects.filter(engagement=engagement).values_list("kind", flat=True))


def test_acknowledging_the_brief_starts_the_engagement_and_shows_on_the_timeline(client_a, offered, owner_client):
    brief = selectors.current_brief(offered)
    page = client_a.get(f"/portal/engagements/{offered.pk}/brief/").content.decode()
    assert "Please read and acknowledge brief v1" in page
    assert "a faster checkout" in page

    response = client_a.post(f"/portal/engagements/{offered.pk}/brief/{brief.pk}/acknowledge/", follow=True)
    assert "the engagement has started" in response.content.decode()
    offered.refresh_from_db()
    assert offered.status == EngagementStatus.ACTIVE
    assert "brief_acknowledged" in _kinds(offered)
    timeline = owner_client.get(f"/engagements/{offered.pk}/").content.decode()
    assert "Ana Alves acknowledged brief v1." in timeline


def test_an_outdated_brief_version_cannot_be_acknowledged(client_a, owner, world):
    engagement = world.engagement
    old = engagement.briefs.get(version=1)
    response = client_a.post(f"/portal/engagements/{engagement.pk}/brief/{old.pk}/acknowledge/", follow=True)
    assert "out of date" in response.content.decode()
    world.brief.refresh_from_db()
    assert world.brief.acknowledged_at is None
    # The page shows what changed since v1, with the owner's reason.
    page = client_a.get(f"/portal/engagements/{engagement.pk}/brief/").content.decode()
    assert "What changed since v1" in page and "Mobile too." in page


def test_asking_a_question_reaches_the_owner(client_a, offered, owner_client):
    brief = selectors.current_brief(offered)
    response = client_a.post(f"/portal/engagements/{offered.pk}/brief/{brief.pk}/ask/",
                             {"body": "Which fonts may I use?"}, follow=True)
    assert "Question sent" in response.content.decode()
    assert "Which fonts may I use?" in response.content.decode()
    assert "question_asked" in _kinds(offered)
    assert "Which fonts may I use?" in owner_client.get(f"/engagements/{offered.pk}/brief/").content.decode()
    empty = client_a.post(f"/portal/engagements/{offered.pk}/brief/{brief.pk}/ask/", {"body": ""}, follow=True)
    assert "This field is required." in empty.content.decode()


def test_a_playbook_document_is_read_and_acknowledged(client_a, workspace, owner, offered):
    document = playbook.playbook_document_create(workspace=workspace, actor=owner, title="Style guide",
                                                 kind="style_guide", body="Use **Inter**.")
    playbook.playbook_attach(engagement=offered, document=document, actor=owner)
    assert "Acknowledge 1 playbook document" in client_a.get("/portal/").content.decode()
    page = client_a.get(f"/portal/engagements/{offered.pk}/playbook/{document.pk}/").content.decode()
    assert "<strong>Inter</strong>" in page
    version = selectors.playbook_current_version(document)
    response = client_a.post(f"/portal/engagements/{offered.pk}/playbook/{document.pk}/acknowledge/",
                             {"version": version.pk}, follow=True)
    assert "“Style guide” v1 acknowledged." in response.content.decode()
    assert "Acknowledged" in response.content.decode()
    assert version.acknowledgements.filter(freelancer__user__email="ana@example.net").exists()
    # A new version asks again; the old one is refused.
    playbook.playbook_document_revise(document=document, actor=owner, title="Style guide", kind="style_guide",
                                      body="Use **Inter** and **Lora**.", change_note="Serif for quotes.")
    again = client_a.post(f"/portal/engagements/{offered.pk}/playbook/{document.pk}/acknowledge/",
                          {"version": version.pk}, follow=True)
    assert "out of date" in again.content.decode()


def test_a_status_update_uses_the_workspace_prompts_and_counts_on_time(client_a, workspace, owner, freelancer_a):
    from engagements.services.reporting import update_prompts_save

    update_prompts_save(workspace=workspace, done_prompt="Shipped since last time?", next_prompt="Up next?",
                        blockers_prompt="Stuck?")
    engagement = start_engagement(workspace, owner, freelancer_a, title="Site", milestones=["One"])
    url = f"/portal/engagements/{engagement.pk}/updates/"
    page = client_a.get(url).content.decode()
    assert "Shipped since last time?" in page and "Up next?" in page and "Stuck?" in page

    response = client_a.post(url, {"done": "Header", "next": "Footer", "blockers": "", "percent_complete": 20,
                                   "hours": "3.5"}, follow=True)
    assert "on time" in response.content.decode()
    update = StatusUpdate.objects.get(engagement=engagement)
    assert (update.percent_complete, update.hours, update.late) == (20, 3.5, False)
    assert "status_update" in _kinds(engagement)
    bad = client_a.post(url, {"done": "", "next": "x", "percent_complete": 140})
    assert bad.status_code == 200
    assert StatusUpdate.objects.count() == 1


def test_the_next_update_is_shown_in_the_freelancers_time_zone(client_a, workspace, owner, freelancer_a):
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    freelancer_a.timezone = "Asia/Tokyo"
    freelancer_a.save()
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=tokyo), tick=False):
        engagement = start_engagement(workspace, owner, freelancer_a, title="Site", milestones=["One"],
                                      update_every_days=3, update_grace_hours=0)
        page = client_a.get(f"/portal/engagements/{engagement.pk}/updates/").content.decode()
    # Three days on, at the end of the freelancer's day, in Tokyo time.
    assert "Thursday 5 March 2026, 23:59" in page
    assert "(Asia/Tokyo)" in page


def test_revealing_a_secret_is_logged_and_never_cached(client_a, world, owner_client):
    engagement, grant = world.engagement, world.grant
    listing = client_a.get(f"/portal/engagements/{engagement.pk}/access/").content.decode()
    assert "hunter2-s3cret" not in listing
    response = client_a.post(f"/portal/engagements/{engagement.pk}/access/{grant.pk}/reveal/")
    assert response.status_code == 200
    assert "hunter2-s3cret" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    reveal = AccessReveal.objects.get(grant=grant)
    assert (reveal.freelancer, reveal.user, reveal.via) == (world.freelancer, world.freelancer.user, "portal")
    assert "revealed the secret" in owner_client.get(f"/engagements/{engagement.pk}/timeline/").content.decode()


def test_no_secret_once_the_engagement_is_paused(client_a, owner, world):
    services.engagement_pause(engagement=world.engagement, actor=owner)
    response = client_a.post(f"/portal/engagements/{world.engagement.pk}/access/{world.grant.pk}/reveal/",
                             follow=True)
    assert "hunter2-s3cret" not in response.content.decode()
    assert "only while the engagement is active" in response.content.decode()
    assert not AccessReveal.objects.exists()


def test_money_shows_what_is_owed_and_paid(client_a, world):
    page = client_a.get(f"/portal/engagements/{world.engagement.pk}/money/").content.decode()
    # 1,000.00 released, 400.00 paid out: 600.00 owed; 2,000.00 still in escrow.
    assert "600.00 USD" in page and "400.00 USD" in page and "2,000.00 USD" in page
    assert "TR-1" in page
    overview = client_a.get("/portal/money/").content.decode()
    assert "600.00 USD" in overview
    csv = client_a.get("/portal/money/?format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert b"Payout" in csv.content and b"1000.00" in csv.content


def test_the_review_shares_what_went_well_but_never_the_private_notes(client_a, world):
    page = client_a.get(f"/portal/engagements/{world.finished.pk}/review/").content.decode()
    assert f"{SECRET_MARK} speed" in page and "Ask earlier." in page and "5/5" in page
    assert "PRIVATE-NOTE-never-shown" not in page
    assert "PRIVATE-NOTE-never-shown" not in client_a.get(f"/portal/engagements/{world.finished.pk}/").content.decode()


def test_a_closed_engagement_takes_no_more_work(client_a, world):
    engagement = world.finished
    assert engagement.status == EngagementStatus.COMPLETED
    page = client_a.get(f"/portal/engagements/{engagement.pk}/updates/").content.decode()
    assert "no more updates are needed" in page
    response = client_a.post(f"/portal/engagements/{engagement.pk}/updates/",
                             {"done": "x", "next": "y", "percent_complete": 1}, follow=True)
    assert "while the engagement is under way" in response.content.decode()
    assert not StatusUpdate.objects.filter(engagement=engagement).exists()
