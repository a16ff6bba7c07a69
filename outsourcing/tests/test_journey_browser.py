"""The journey: the product's story in one Chromium run, through its pages as people use them.

An owner signs up, adds a freelancer, asks a referee (who answers from the emailed link),
interviews and scores her, runs a one-milestone paid trial to payment and approves her; then a
project with a brief and three milestones is offered, the freelancer accepts the emailed portal
invitation, acknowledges, posts an update and hands in; the owner asks for changes, then
releases and pays out; an overdue update brings a reminder email and a notice in the inbox; the
engagement ends with a review and the statement is downloaded as CSV. The owner's home page and
the freelancer's portal home are checked after each step that should change them. Only what has
no page is done in Python: moving the clock and running the beat sweep.

Screenshots of the main pages at desktop (1280 px) and phone (390 px) width land in
`var/screenshots/journey/` (git-ignored) for a person to look through.
"""

import csv
import io
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from engagements.reminders.status_updates import status_update_reminders
from freelancers.tests.test_browser import (
    add_freelancer,
    answer_as_referee,
    request_reference,
    schedule_interview,
    score_interview,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = settings.BASE_DIR / "var" / "screenshots" / "journey"
PASSWORD = "violet-canyon-harbor-58"
ROSA_PASSWORD = "marble-orchard-kite-31"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def shoot(page, name):
    """The page as it is now at desktop and at phone width (then back to desktop)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SHOTS / f"{name}-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def said(page, text):
    """A flash message saying `text` (a page may show other alerts beside it)."""
    expect(page.get_by_role("alert").filter(has_text=text)).to_be_visible()


def home(page, live_server):
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Studio")
    return page.get_by_test_id("attention"), page.get_by_test_id("money")


def usd(amount):
    """The figure shown first in an element: "0.00" does not match "300.00 USD"."""
    return re.compile(rf"^\s*{re.escape(amount)} USD")


def expect_money(section, **figures):
    """The owner's home: `held`, `owed`, `released`, `paid` as shown ("1,200.00")."""
    names = {"held": "Held funds", "owed": "Owed to freelancers", "released": "Released this month",
             "paid": "Paid out this month"}
    for key, amount in figures.items():
        figure = section.locator("dl[data-currency='USD'] div.col").filter(has_text=names[key])
        expect(figure.locator("dd")).to_have_text(usd(amount))


def expect_portal_money(rosa, live_server, **figures):
    """The freelancer's portal home: `held`, `in_review`, `payable`, `paid_out` as shown."""
    rosa.goto(f"{live_server.url}/portal/")
    money = rosa.locator(".money-figures[data-currency='USD']")
    for key, amount in figures.items():
        expect(money.locator(f"[data-figure='{key}'] dd")).to_have_text(usd(amount))


def sign_up(page, live_server):
    page.goto(f"{live_server.url}/accounts/signup/")
    page.get_by_label("Your name").fill("Olivia Owner")
    page.get_by_label("Email").fill("olivia@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Business or workspace name").fill("Acme Studio")
    page.get_by_label("Time zone").select_option("America/New_York")
    page.get_by_label("Currency").fill("USD")
    page.get_by_role("button", name="Create workspace").click()
    said(page, "Acme Studio is ready")
    expect(page.get_by_test_id("attention-empty")).to_have_text("Nothing needs you today.")
    expect(page.get_by_test_id("money")).to_contain_text("No money has moved yet")
    shoot(page, "01-home-new")
    return User.objects.get(email="olivia@example.com")


def vet(page, browser, live_server, owner, mailoutbox):
    freelancer = add_freelancer(page)
    link = request_reference(page, mailoutbox)
    answer_as_referee(browser, live_server, link)
    attention, _ = home(page, live_server)
    expect(attention.locator("[data-kind='reference_answered']")).to_contain_text("Carl Client")
    page.goto(f"{live_server.url}/freelancers/{freelancer.pk}/")
    schedule_interview(page, owner, mailoutbox)
    score_interview(page)
    shoot(page, "02-interview-scored")
    home(page, live_server)
    expect(page.get_by_test_id("agenda").locator("[data-kind='interview']")).to_contain_text("with Rosa Diaz")
    return freelancer


def create_engagement(page, live_server, freelancer, *, kind, title, budget):
    page.goto(f"{live_server.url}/freelancers/{freelancer.pk}/")
    if kind == "trial":
        page.get_by_role("link", name="Start a trial job").first.click()
        expect(page.get_by_label("Title")).to_have_value("Trial job: Rosa Diaz")
    else:
        page.goto(f"{live_server.url}/engagements/new/?freelancer={freelancer.pk}")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Budget").fill(budget)
    page.get_by_role("button", name="Create engagement").click()
    said(page, "Engagement created. Next: write the brief.")
    page.get_by_label("Goal").fill(f"{title}: a label that sells the jam.")
    page.get_by_label("Deliverables").fill("Print-ready PDF and the source file.")
    page.get_by_label("Acceptance criteria").fill("Fits the 80 mm jar; CMYK.")
    page.get_by_role("button", name="Save the brief").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    return int(re.search(r"/engagements/(\d+)/", page.url).group(1))


def add_milestone(page, live_server, engagement, title, amount, due_in_days):
    page.goto(f"{live_server.url}/engagements/{engagement}/milestones/new/")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Acceptance criteria").fill(f"{title} meets the brief.")
    due = timezone.localdate() + timedelta(days=due_in_days)
    page.get_by_label("Due on").fill(due.isoformat())
    page.get_by_label("Amount (USD)").fill(amount)
    page.get_by_role("button", name="Add milestone").click()
    expect(page.get_by_role("link", name=title)).to_be_visible()


def fund(page, live_server, engagement, title):
    page.goto(f"{live_server.url}/payments/engagements/{engagement}/")
    page.get_by_role("row").filter(has_text=title).get_by_role("link", name="Fund").click()
    page.get_by_role("button", name="Fund and hold").click()
    said(page, f"is now held for “{title}”")


def offer(page, live_server, engagement):
    page.goto(f"{live_server.url}/engagements/{engagement}/")
    page.get_by_role("button", name="Offer to Rosa Diaz").click()
    said(page, "Offered: the freelancer was emailed the brief")


def invitations(mailoutbox):
    return [m for m in mailoutbox if m.to == ["rosa@example.net"] and "/portal/invite/" in m.body]


def invite_and_accept(page, rosa, live_server, engagement, mailoutbox):
    """Rosa opens the emailed portal invitation in her own browser."""
    page.goto(f"{live_server.url}/engagements/{engagement}/")
    panel = page.get_by_test_id("portal-access")
    if not invitations(mailoutbox):
        # Until the offer's brief email carries the invitation (issue 12's rough edges, on another
        # branch), the owner sends it from the engagement page.
        panel.get_by_role("button", name="Invite to portal").click()
        said(page, "Portal invitation sent to rosa@example.net")
    expect(panel.get_by_test_id("portal-status")).to_have_text("Invitation pending")
    [email] = invitations(mailoutbox)
    [link] = re.findall(r"https?://\S+/portal/invite/\S+/", email.body)
    rosa.goto(live_server.url + urlparse(link).path)
    expect(rosa.get_by_role("heading", level=1)).to_have_text("Work with Acme Studio")
    rosa.get_by_label("Your name").fill("Rosa Diaz")
    rosa.get_by_label("Choose a password").fill(ROSA_PASSWORD)
    rosa.get_by_label("Password again").fill(ROSA_PASSWORD)
    rosa.get_by_label("Time zone").select_option("Europe/Madrid")
    rosa.get_by_role("button", name="Create my login and accept").click()
    expect(rosa).to_have_url(f"{live_server.url}/portal/")
    said(rosa, "Welcome to Acme Studio's freelancer portal.")


def acknowledge(rosa, live_server, engagement):
    rosa.goto(f"{live_server.url}/portal/engagements/{engagement}/")
    rosa.get_by_role("link", name="Read and acknowledge brief v1").click()
    rosa.get_by_role("button", name="I have read brief v1 and understood it").click()
    said(rosa, "the engagement has started")


def hand_in(rosa, live_server, engagement, title, message, round_no):
    rosa.goto(f"{live_server.url}/portal/engagements/{engagement}/")
    rosa.get_by_role("link", name=title).first.click()
    rosa.get_by_label("What you are handing in, and how to check it").fill(message)
    rosa.get_by_label("Files").set_input_files(files=[{"name": "label.png", "mimeType": "image/png", "buffer": PNG}])
    rosa.get_by_label("I did this work myself (no subcontracting).").check()
    rosa.get_by_role("button", name="Submit for review").click()
    said(rosa, f"“{title}” handed in (round {round_no})")


def open_milestone(page, live_server, engagement, title):
    page.goto(f"{live_server.url}/engagements/{engagement}/")
    page.get_by_role("link", name=title, exact=True).click()


def release(page, live_server, engagement, title):
    open_milestone(page, live_server, engagement, title)
    page.get_by_role("link", name="Accept and release the payment…").click()
    page.get_by_role("button", name="Release to the freelancer").click()
    said(page, f"“{title}” released: the money is now owed to the freelancer.")


def pay_out(page, live_server, engagement, amount):
    page.goto(f"{live_server.url}/payments/engagements/{engagement}/")
    page.get_by_role("link", name=f"Record payout ({amount})").click()
    page.get_by_label("Sent by").select_option(index=1)
    page.get_by_label("Transfer reference").fill(f"TRF-{engagement}")
    page.get_by_role("button", name="Record the payout").click()
    said(page, f"Payout of {amount} to Rosa Diaz")


def run_trial(page, rosa, live_server, freelancer, mailoutbox):
    """A one-milestone paid trial: the freelancer's home follows the money through four states."""
    trial = create_engagement(page, live_server, freelancer, kind="trial", title="Trial job: jam label",
                              budget="300")
    add_milestone(page, live_server, trial, "Label draft", "300", due_in_days=5)
    fund(page, live_server, trial, "Label draft")
    offer(page, live_server, trial)
    invite_and_accept(page, rosa, live_server, trial, mailoutbox)
    expect_portal_money(rosa, live_server, held="300.00", in_review="0.00", payable="0.00")
    shoot(rosa, "03-portal-home-funded")
    acknowledge(rosa, live_server, trial)
    hand_in(rosa, live_server, trial, "Label draft", "Two label options, see the PNG.", 1)
    expect_portal_money(rosa, live_server, held="0.00", in_review="300.00")
    _, money = home(page, live_server)
    expect_money(money, held="300.00")
    release(page, live_server, trial, "Label draft")
    expect_portal_money(rosa, live_server, in_review="0.00", payable="300.00")
    pay_out(page, live_server, trial, "300.00 USD")
    expect_portal_money(rosa, live_server, payable="0.00", paid_out="300.00")
    shoot(rosa, "04-portal-home-paid")
    _, money = home(page, live_server)
    expect_money(money, held="0.00", owed="0.00", released="300.00", paid="300.00")
    complete(page, live_server, trial)


def approve(page, live_server, freelancer):
    page.goto(f"{live_server.url}/freelancers/{freelancer.pk}/scorecard/")
    shoot(page, "05-scorecard")
    page.get_by_label("Approve", exact=True).check()
    page.get_by_label("Reason").fill("Strong reference, interview and a trial delivered on time.")
    page.get_by_role("button", name="Record decision").click()
    page.get_by_label("I have read the warnings above and approve anyway").check()
    page.get_by_role("button", name="Record decision").click()
    said(page, "Rosa Diaz was approved.")
    home(page, live_server)
    expect(page.get_by_test_id("pipeline-summary")).to_contain_text("1 approved")


def start_project(page, live_server, freelancer, rosa):
    project = create_engagement(page, live_server, freelancer, kind="project", title="Jam range packaging",
                                budget="3000")
    for title, amount, days in (("Concepts", "600", 7), ("Artwork", "1200", 14), ("Print files", "900", 21)):
        add_milestone(page, live_server, project, title, amount, due_in_days=days)
    fund(page, live_server, project, "Concepts")
    offer(page, live_server, project)
    attention, money = home(page, live_server)
    expect(attention.locator("[data-kind='brief_unacknowledged']")).to_contain_text("Rosa Diaz")
    expect(page.get_by_test_id("agenda")).to_contain_text("“Concepts” due from Rosa Diaz")
    expect_money(money, held="600.00")
    expect_portal_money(rosa, live_server, held="600.00", in_review="0.00")
    acknowledge(rosa, live_server, project)
    rosa.get_by_role("link", name="Status updates").click()
    rosa.get_by_label("What did you finish since your last update?").fill("Moodboard and two sketches.")
    rosa.get_by_label("What will you work on next?").fill("The third concept.")
    rosa.get_by_label("Percent complete").fill("35")
    rosa.get_by_role("button", name="Post update").click()
    said(rosa, "Update posted")
    hand_in(rosa, live_server, project, "Concepts", "Three concepts.", 1)
    expect_portal_money(rosa, live_server, held="0.00", in_review="600.00")
    shoot(rosa, "06-portal-home-in-review")
    return project


def review_the_work(page, live_server, project, rosa):
    attention, _ = home(page, live_server)
    expect(attention.locator("[data-kind='review_closing']")).to_contain_text("Concepts")
    expect(page.get_by_test_id("agenda").locator("[data-kind='review_closes']")).to_contain_text("Concepts")
    shoot(page, "07-home-review-waiting")
    open_milestone(page, live_server, project, "Concepts")
    shoot(page, "08-milestone-submitted")
    page.get_by_label("What needs to change").fill("Concept two: a bigger logo, please.")
    page.get_by_role("button", name="Request changes").click()
    said(page, "Changes requested; the freelancer was emailed your feedback.")
    expect_portal_money(rosa, live_server, held="600.00", in_review="0.00")
    hand_in(rosa, live_server, project, "Concepts", "Bigger logo on concept two.", 2)
    release(page, live_server, project, "Concepts")
    expect_portal_money(rosa, live_server, in_review="0.00", payable="600.00")
    _, money = home(page, live_server)
    expect_money(money, held="0.00", owed="600.00", released="900.00")
    pay_out(page, live_server, project, "600.00 USD")
    expect_portal_money(rosa, live_server, payable="0.00", paid_out="900.00")
    _, money = home(page, live_server)
    expect_money(money, owed="0.00", paid="900.00")
    page.goto(f"{live_server.url}/engagements/{project}/")
    shoot(page, "09-engagement")


def overdue_update(page, live_server, project, rosa, mailoutbox):
    """Days later, no update: the beat sweep (run here directly) reminds Rosa by email and tells
    the owner, whose bell and home page show it."""
    bell = page.get_by_test_id("inbox-bell").last
    home(page, live_server)
    before = bell.inner_text()
    status_update_reminders()
    [reminder] = [m for m in mailoutbox if m.to == ["rosa@example.net"] and "/updates/" in m.body
                  and "Jam range packaging" in m.subject + m.body]
    attention, _ = home(page, live_server)
    expect(attention.locator("[data-kind='update_overdue']")).to_contain_text("Rosa Diaz")
    expect(bell).not_to_have_text(before)
    shoot(page, "10-home-update-overdue")
    bell.click()
    expect(page.get_by_role("link", name="No update from Rosa Diaz on Jam range packaging")).to_be_visible()
    expect(page.get_by_text("Rosa Diaz was reminded once.", exact=False)).to_be_visible()
    shoot(page, "11-inbox")
    rosa.goto(f"{live_server.url}/portal/")
    rosa.get_by_test_id("inbox-bell").last.click()
    # The email and the notice are one outbox row: the same words (the bell drops the prefix).
    assert reminder.subject == "[Acme Studio] Still missing: your status update on Jam range packaging"
    expect(rosa.get_by_role("link", name="Still missing: your status update on Jam range packaging")).to_be_visible()
    shoot(rosa, "12-portal-inbox")


def complete(page, live_server, engagement):
    page.goto(f"{live_server.url}/engagements/{engagement}/")
    page.get_by_role("link", name="Complete…").click()
    page.get_by_role("button", name=re.compile("Complete")).click()
    said(page, "Engagement completed.")
    expect(page.get_by_role("heading", name="Write the end review")).to_be_visible()


def end_and_review(page, live_server, project):
    complete(page, live_server, project)
    for legend in ("Quality", "Communication", "Timeliness"):
        page.get_by_role("group", name=legend).get_by_text("5", exact=True).click()
    page.get_by_label("What went well (shared with the freelancer)").fill("Quick and careful.")
    page.get_by_label("What to do differently (shared with the freelancer)").fill("Share sketches sooner.")
    page.get_by_label("Yes, I would hire them again").check()
    page.get_by_role("button", name=re.compile("Save")).click()
    said(page, "Review saved.")


def download_statement(page, live_server, project):
    page.goto(f"{live_server.url}/payments/engagements/{project}/statement/")
    shoot(page, "13-statement")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV").click()
    assert info.value.suggested_filename == f"statement-engagement-{project}.csv"
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8-sig"))))
    assert [row["Earned"] for row in rows if row["Earned"]] == ["600.00"]
    [payout] = [row for row in rows if row["Paid out"]]
    assert (payout["Paid out"], payout["Reference"]) == ("600.00", f"TRF-{project}")
    assert rows[-1]["Owed balance"] == "0.00" and rows[-1]["Held funds balance"] == "0.00"


def test_the_journey(page, browser, live_server, celery_eager, mailoutbox, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    errors = []
    rosa = browser.new_context().new_page()  # the freelancer's own browser
    for each in (page, rosa):
        each.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        each.set_viewport_size({"width": 1280, "height": 900})
        each.set_default_timeout(15_000)

    owner = sign_up(page, live_server)
    freelancer = vet(page, browser, live_server, owner, mailoutbox)
    run_trial(page, rosa, live_server, freelancer, mailoutbox)
    approve(page, live_server, freelancer)
    project = start_project(page, live_server, freelancer, rosa)
    review_the_work(page, live_server, project, rosa)
    # Six days on at 14:00 UTC: daytime in Madrid and New York, so no quiet hours hold a reminder.
    later = (timezone.now() + timedelta(days=6)).replace(hour=14, minute=0)
    with time_machine.travel(later):
        overdue_update(page, live_server, project, rosa, mailoutbox)
        end_and_review(page, live_server, project)
        download_statement(page, live_server, project)
    assert errors == []
