"""At 390 px (a phone), in Chromium: no page scrolls sideways — the owner's payments page, the
freelancer page and the engagement page, the freelancer's portal pages — and the review actions
(Release, Extend, Dispute, the days left) are inside the viewport, not off to the right."""

from datetime import date

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD
from freelancers.services import reference as references
from payments import services as payments

from .conftest import key, start_engagement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def money_world(workspace, owner, freelancer_a):
    """Ana's engagement: one milestone in review, one disputed, one released and partly paid
    out; two referees with long addresses."""
    engagement = start_engagement(workspace, owner, freelancer_a, title="Checkout redesign for the spring sale",
                                  milestones=["Wireframes and the long-named design system", "Build", "Launch"])
    review, disputed, released = engagement.milestones.order_by("position")
    for m in (review, disputed, released):
        payments.milestone_fund(milestone=m, actor=owner, idempotency_key=key())
    for m in (review, released):
        payments.milestone_submit_for_review(milestone_id=m.pk, freelancer=freelancer_a, message="Done.",
                                             attest_own_work=True)
    payments.milestone_release(milestone=released, actor=owner, idempotency_key=key())
    payments.milestone_dispute(milestone=disputed, actor=owner, reason="Not what we agreed.", idempotency_key=key())
    payments.payout_record(engagement=engagement, actor=owner, amount=40_000, method="bank_transfer",
                           reference="TR-2026-000123", paid_on=date.today(), idempotency_key=key())
    for name in ("Maximiliana Fernández-Oyelaran", "Bartholomew Okonkwo-Lindqvist"):
        references.reference_create(freelancer=freelancer_a, name=name, relationship="Former client",
                                    email=f"{name.split()[0].lower()}.long.address@agency-with-a-long-name.example",
                                    company="International Broadcasting Company")
    return engagement, review


def phone(browser):
    return browser.new_context(viewport=PHONE).new_page()


def no_sideways_scroll(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")  # the panels htmx loads
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{url} is {width} px wide"


def inside_viewport(locator):
    box = locator.bounding_box()
    assert box is not None, "not shown"
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], f"off-screen: {box}"


def test_the_owners_pages_fit_a_phone_and_the_review_actions_are_in_view(browser, live_server, owner,
                                                                         freelancer_a, money_world):
    engagement, review = money_world
    page = phone(browser)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(f"{live_server.url}/accounts/login/")

    no_sideways_scroll(page, f"{live_server.url}/payments/")
    card = page.locator(".review-table tbody tr", has_text=review.title)
    for name in ("Release", "Extend", "Dispute"):
        inside_viewport(card.get_by_role("link", name=name, exact=True))
    inside_viewport(card.get_by_text("days left"))

    no_sideways_scroll(page, f"{live_server.url}/freelancers/{freelancer_a.pk}/")
    expect(page.get_by_text("Paid to date")).to_be_visible()
    no_sideways_scroll(page, f"{live_server.url}/engagements/{engagement.pk}/")
    inside_viewport(page.locator("#milestones-card").get_by_role("link", name="Review", exact=True))


def test_the_portal_fits_a_phone(browser, live_server, user_a, money_world):
    engagement, review = money_world
    page = phone(browser)
    page.goto(f"{live_server.url}/portal/sign-in/")
    page.get_by_label("Email", exact=True).fill(user_a.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="What needs you")).to_be_visible()
    header = page.locator("nav.portal-nav").bounding_box()
    assert header["height"] < 80, "the menu button wrapped onto a second row"

    for path in ("/portal/", "/portal/money/", f"/portal/engagements/{engagement.pk}/",
                 f"/portal/engagements/{engagement.pk}/money/",
                 f"/portal/engagements/{engagement.pk}/milestones/{review.pk}/"):
        no_sideways_scroll(page, live_server.url + path)
    page.goto(f"{live_server.url}/portal/")
    figures = page.locator(".money-figures")
    expect(figures.locator("[data-figure=in_review]")).to_contain_text("1,000.00")
    expect(figures.locator("[data-figure=disputed]")).to_contain_text("1,000.00")
    expect(figures.locator("[data-figure=payable]")).to_contain_text("600.00")
