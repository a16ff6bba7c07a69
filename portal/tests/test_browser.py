"""The portal in Chromium, end to end: the owner offers the engagement (the brief email carries
the portal invitation) and sees it pending on the engagement page; the freelancer opens the
emailed link, chooses a password, acknowledges the brief and a playbook document, posts a status
update and hands in a milestone; the owner sees each on the engagement's timeline."""

import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD
from engagements.services import brief as briefs
from engagements.services import lifecycle as services
from engagements.services import milestone as work
from engagements.services import playbook
from freelancers.models import Freelancer, FreelancerStatus
from payments import services as payments

from .conftest import BRIEF, PNG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "marble-orchard-kite-31"


def offered_engagement(workspace, owner):
    """An engagement offered to Nora (no login yet): a funded milestone, a playbook document."""
    freelancer = Freelancer.objects.create(workspace=workspace, name="Nora Newcomer", email="nora@example.net",
                                           status=FreelancerStatus.APPROVED, timezone="Europe/Lisbon")
    engagement = services.engagement_create(workspace=workspace, created_by=owner, freelancer=freelancer,
                                            title="Spring campaign", budget=500_000)
    briefs.brief_save(engagement=engagement, actor=owner, **BRIEF)
    milestone, _ = work.milestone_create(engagement=engagement, actor=owner, title="Key visual",
                                         acceptance_criteria="Three options.", amount=120_000)
    document = playbook.playbook_document_create(workspace=workspace, actor=owner, title="How we work",
                                                 kind="how_we_work", body="Reply within a day.")
    playbook.playbook_attach(engagement=engagement, document=document, actor=owner)
    payments.milestone_fund(milestone=milestone, actor=owner, idempotency_key="browser-fund")
    services.engagement_offer(engagement=engagement, actor=owner)
    return engagement


def see_the_invitation_pending(page, live_server, owner, engagement):
    """The offer invited Nora (the brief email carries her link): the engagement page says so."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/engagements/{engagement.pk}/")
    panel = page.get_by_test_id("portal-access")
    expect(panel.get_by_test_id("portal-status")).to_have_text("Invitation pending")


def accept_the_emailed_link(nora, live_server, mailoutbox):
    """Nora opens the emailed link in her own browser: the token leaves the address bar."""
    [email] = [m for m in mailoutbox if m.to == ["nora@example.net"] and "/portal/invite/" in m.body]
    assert "brief" in email.subject  # the offer's brief email carries the invitation
    [link] = re.findall(r"https?://\S+/portal/invite/\S+/", email.body)
    nora.goto(live_server.url + urlparse(link).path)
    expect(nora).to_have_url(f"{live_server.url}/portal/invite/")
    expect(nora.get_by_role("heading", level=1)).to_have_text("Work with Acme Studio")
    nora.get_by_label("Your name").fill("Nora Newcomer")
    nora.get_by_label("Choose a password").fill(NEW_PASSWORD)
    nora.get_by_label("Password again").fill(NEW_PASSWORD)
    nora.get_by_label("Time zone").select_option("Europe/Lisbon")
    nora.get_by_role("button", name="Create my login and accept").click()
    expect(nora).to_have_url(f"{live_server.url}/portal/")
    expect(nora.get_by_role("alert")).to_contain_text("Welcome to Acme Studio's freelancer portal.")


def acknowledge_brief_and_playbook(nora):
    # She reads and acknowledges the brief: the engagement starts.
    nora.get_by_role("link", name="Read and acknowledge brief v1").click()
    expect(nora.get_by_text("a faster checkout")).to_be_visible()
    nora.get_by_role("button", name="I have read brief v1 and understood it").click()
    expect(nora.get_by_role("alert")).to_contain_text("the engagement has started")

    # The playbook document.
    nora.get_by_role("link", name="Playbook", exact=True).click()
    nora.get_by_role("link", name=re.compile("How we work")).click()
    expect(nora.get_by_text("Reply within a day.")).to_be_visible()
    nora.get_by_role("button", name="I have read “How we work” v1").click()
    expect(nora.get_by_role("alert")).to_contain_text("“How we work” v1 acknowledged.")


def report_and_hand_in(nora):
    # A status update on the workspace's prompts.
    nora.get_by_role("link", name="Status updates").click()
    nora.get_by_label("What did you finish since your last update?").fill("Moodboard and two sketches.")
    nora.get_by_label("What will you work on next?").fill("The third option.")
    nora.get_by_label("Percent complete").fill("35")
    nora.get_by_role("button", name="Post update").click()
    expect(nora.get_by_role("alert")).to_contain_text("Update posted")

    # Hand in the milestone with a message, a link, a file and the attestation.
    nora.get_by_role("link", name="Overview").click()
    nora.get_by_role("link", name="Key visual").click()
    nora.get_by_label("What you are handing in, and how to check it").fill("Three options, see the PDF.")
    nora.get_by_label("Links (one per line)").fill("https://figma.example.com/key-visual")
    nora.get_by_label("Files").set_input_files(files=[{"name": "options.png", "mimeType": "image/png",
                                                        "buffer": PNG}])
    nora.get_by_label("I did this work myself (no subcontracting).").check()
    nora.get_by_role("button", name="Submit for review").click()
    expect(nora.get_by_role("alert")).to_contain_text("“Key visual” handed in (round 1)")
    expect(nora.get_by_role("link", name="options.png")).to_be_visible()


def test_invite_accept_and_work_through_the_portal(page, browser, live_server, owner, workspace, celery_eager,
                                                   mailoutbox, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    engagement = offered_engagement(workspace, owner)
    see_the_invitation_pending(page, live_server, owner, engagement)
    nora = browser.new_context().new_page()
    nora.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    accept_the_emailed_link(nora, live_server, mailoutbox)
    acknowledge_brief_and_playbook(nora)
    report_and_hand_in(nora)

    # The owner sees every step on the engagement's timeline.
    page.goto(f"{live_server.url}/engagements/{engagement.pk}/timeline/")
    for line in ("Nora Newcomer joined the freelancer portal.", "Nora Newcomer acknowledged brief v1.",
                 "Nora Newcomer acknowledged “How we work” v1.", "Status update: 35% complete.",
                 "Submitted “Key visual” (round 1)."):
        expect(page.get_by_text(line, exact=False).first).to_be_visible()
    page.goto(f"{live_server.url}/engagements/{engagement.pk}/")
    expect(page.get_by_test_id("portal-status")).to_have_text("Uses the portal")
    assert errors == []
