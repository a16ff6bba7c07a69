"""Rough edges a new owner met, in Chromium: the engagement page's eleven tabs are one menu on a
phone; long titles in lists are cut to a line with the full text on hover; the time-zone list
can be searched; the app has a favicon."""

import pytest
from playwright.sync_api import expect

from engagements.services import lifecycle

from .conftest import client_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LONG_TITLE = "A very long engagement title that keeps going " * 4


def _owner_page(browser, live_server, owner, viewport):
    context = browser.new_context(viewport=viewport)
    context.add_cookies([{"name": "sessionid", "value": client_for(owner).cookies["sessionid"].value,
                          "url": live_server.url}])
    return context.new_page()


def test_on_a_phone_the_engagement_tabs_are_one_menu(browser, live_server, world, owner):
    page = _owner_page(browser, live_server, owner, PHONE)
    page.goto(f"{live_server.url}/engagements/{world.engagement.pk}/")

    menu = page.get_by_test_id("section-menu")
    expect(menu).to_be_visible()
    expect(menu).to_contain_text("Section: Overview")
    expect(page.locator("ul.nav-tabs")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    menu.click()
    sections = page.get_by_role("navigation", name="Engagement sections").get_by_role("link")
    expect(sections).to_have_count(11)
    sections.filter(has_text="Money").click()
    expect(page).to_have_url(f"{live_server.url}/payments/engagements/{world.engagement.pk}/")
    expect(page.get_by_test_id("section-menu")).to_contain_text("Section: Money")


def test_long_titles_are_cut_in_lists_with_the_full_text_on_hover(browser, live_server, world, owner):
    lifecycle.engagement_update(engagement=world.engagement, actor=owner, title=LONG_TITLE.strip()[:200])
    page = _owner_page(browser, live_server, owner, {"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/engagements/")

    link = page.get_by_role("link", name=LONG_TITLE.strip()[:200])
    expect(link).to_have_attribute("title", LONG_TITLE.strip()[:200])
    assert link.evaluate("el => el.scrollWidth > el.clientWidth")  # cut with an ellipsis
    assert link.evaluate("el => getComputedStyle(el).textOverflow") == "ellipsis"


def test_the_time_zone_list_can_be_searched(browser, live_server, world, owner):
    page = _owner_page(browser, live_server, owner, {"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/freelancers/new/")

    page.get_by_label("Filter the list by city or region").fill("lisbon")

    expect(page.locator("select[data-timezone]")).to_have_value("Europe/Lisbon")


def test_there_is_a_favicon(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    href = page.locator("link[rel=icon]").get_attribute("href")
    response = page.request.get(live_server.url + href)
    assert response.status == 200 and "svg" in response.headers["content-type"]
