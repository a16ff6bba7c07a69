"""The first minutes of a new owner, in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Invitation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "violet-canyon-harbor-58"


def test_sign_up_invite_a_teammate_log_out_and_back_in(page, live_server):
    page.goto(f"{live_server.url}/accounts/signup/")
    page.get_by_label("Your name").fill("Bea Baker")
    page.get_by_label("Email").fill("Bea@Example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Business or workspace name").fill("Bea's Bakery")
    page.get_by_label("Time zone").select_option("Europe/Paris")
    page.get_by_label("Currency").fill("EUR")
    page.get_by_role("button", name="Create workspace").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bea's Bakery")
    expect(page.get_by_role("alert")).to_contain_text("Bea's Bakery is ready")
    expect(page.get_by_text("Time zone Europe/Paris · currency EUR")).to_be_visible()

    page.get_by_label("Teammate's email").fill("sam@example.com")
    page.get_by_role("button", name="Invite teammate").click()
    expect(page.get_by_role("alert")).to_contain_text("Invitation sent to sam@example.com.")
    expect(page.get_by_role("cell", name="sam@example.com")).to_be_visible()
    assert Invitation.objects.filter(email="sam@example.com", status="pending").exists()

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))

    page.get_by_label("Email").fill("bea@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bea's Bakery")


def test_the_csp_blocks_nothing_the_pages_need(page, live_server):
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live_server.url}/accounts/login/")
    page.goto(f"{live_server.url}/accounts/signup/")
    assert errors == []
    # Bootstrap's JavaScript ran (it is served locally and allowed by the CSP nonce).
    assert page.evaluate("typeof window.bootstrap") == "object"
    assert page.evaluate("typeof window.htmx") == "object"
