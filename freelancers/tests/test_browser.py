"""The whole vetting path in Chromium: add a freelancer, request a reference, answer it as the
referee from the emailed link, schedule and score an interview, approve."""

import re
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD
from freelancers.models import Decision, Freelancer, FreelancerStatus, Interview, ReferenceStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, email):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{live_server.url}/")


def add_freelancer(page):
    page.get_by_role("link", name="Freelancers", exact=True).click()
    page.get_by_role("link", name="Add a freelancer").first.click()
    page.get_by_label("Name").fill("Rosa Diaz")
    page.get_by_label("Email").fill("rosa@example.net")
    page.get_by_label("Headline").fill("Packaging designer")
    page.get_by_label("Skills").fill("packaging, illustrator")
    page.get_by_label("Time zone").select_option("Europe/Madrid")
    page.get_by_label("Rate", exact=True).fill("55")
    page.get_by_role("button", name="Add freelancer").click()
    expect(page.get_by_role("alert")).to_contain_text("Rosa Diaz was added as a prospect.")
    return Freelancer.objects.get(email="rosa@example.net")


def request_reference(page, mailoutbox):
    """The referee is emailed a questionnaire link; returns it."""
    page.get_by_role("link", name="Add a reference").click()
    page.get_by_label("Referee's name").fill("Carl Client")
    page.get_by_label("Referee's email").fill("carl@example.org")
    page.get_by_label("Relationship").fill("Former client")
    page.get_by_role("button", name="Add reference").click()
    expect(page.get_by_role("alert")).to_contain_text("Questionnaire emailed to Carl Client.")
    expect(page.get_by_role("cell", name="Requested")).to_be_visible()
    [email] = [m for m in mailoutbox if m.to == ["carl@example.org"]]
    [link] = re.findall(r"https?://\S+/reference/\S+/", email.body)
    return link


def answer_as_referee(browser, live_server, link):
    """From the emailed link, in a browser of the referee's own (no login)."""
    referee = browser.new_context().new_page()
    referee.goto(live_server.url + urlparse(link).path)
    expect(referee).to_have_url(f"{live_server.url}/reference/")  # the token left the address bar
    expect(referee.get_by_role("heading", level=1)).to_have_text("A reference for Rosa Diaz")
    for legend, score in (("Quality of work", "5"), ("Reliability", "4"), ("Communication", "5"),
                          ("Meeting deadlines", "4")):
        referee.get_by_role("group", name=legend).get_by_text(score, exact=True).click()
    referee.get_by_label("Yes").check()
    referee.get_by_label("What should we know?").fill("Meticulous with print files.")
    referee.get_by_role("button", name="Send my answers").click()
    expect(referee.get_by_role("heading", level=1)).to_have_text("Thank you")
    referee.goto(live_server.url + urlparse(link).path)  # a second use changes nothing
    expect(referee.get_by_role("heading", level=1)).to_have_text("This questionnaire was already answered")
    referee.context.close()


def schedule_interview(page, owner, mailoutbox):
    """In the owner's zone; shown in both."""
    page.reload()
    expect(page.get_by_role("cell", name="Received")).to_be_visible()
    page.get_by_role("link", name="Schedule an interview").click()
    when = (timezone.now().astimezone(owner.tzinfo) + timedelta(days=3)).replace(hour=10, minute=0)
    page.get_by_label("Date and time").fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Meeting link").fill("https://meet.example.com/rosa")
    page.get_by_role("button", name="Schedule and email invitation").click()
    expect(page.get_by_role("alert")).to_contain_text("emailed a calendar invitation")
    expect(page.get_by_text(re.compile(r"10:00 E[SD]T \(America/New_York\)"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"\(Europe/Madrid\) for Rosa Diaz"))).to_be_visible()
    [invite] = [m for m in mailoutbox if m.to == ["rosa@example.net"]]
    assert invite.attachments[0][0] == "interview.ics"


def score_interview(page):
    for criterion, score in (("Communication", "5"), ("Relevant skill", "4"), ("Understanding of the brief", "5"),
                             ("Timeline / availability fit", "4"), ("Professionalism", "5")):
        page.get_by_role("group", name=criterion).get_by_text(score, exact=True).click()
    page.get_by_label("Notes").fill("Clear plan for the print deadline.")
    page.get_by_label("Outcome").select_option("advance")
    page.get_by_role("button", name="Save scorecard").click()
    expect(page.get_by_role("alert").filter(has_text="Scorecard saved.")).to_be_visible()


def approve(page):
    """From the scorecard: one reference is below the recommended two, so it asks first."""
    expect(page.get_by_test_id("interview-overall")).to_have_text("4.6")
    expect(page.get_by_test_id("refs-overall")).to_have_text("4.5")
    page.get_by_label("Approve", exact=True).check()
    page.get_by_label("Reason").fill("Excellent reference and interview.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("Confirm that you want to approve")
    page.get_by_label("I have read the warnings above and approve anyway").check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("alert").filter(has_text="Rosa Diaz was approved.")).to_be_visible()


def test_vet_a_freelancer_from_first_contact_to_approval(page, browser, live_server, owner, workspace,
                                                         celery_eager, mailoutbox):
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    owner.timezone = "America/New_York"
    owner.save()
    log_in(page, live_server, owner.email)

    freelancer = add_freelancer(page)
    link = request_reference(page, mailoutbox)
    answer_as_referee(browser, live_server, link)
    schedule_interview(page, owner, mailoutbox)
    score_interview(page)
    approve(page)

    freelancer.refresh_from_db()
    assert freelancer.status == FreelancerStatus.APPROVED
    assert freelancer.references.get().status == ReferenceStatus.RECEIVED
    assert Interview.objects.get(freelancer=freelancer).scores.count() == 5
    decision = Decision.objects.get(freelancer=freelancer)
    assert decision.decided_by == owner and decision.confirmed_warnings
    assert errors == []
