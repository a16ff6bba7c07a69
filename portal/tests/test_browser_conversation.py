"""The conversation in Chromium: the owner writes, the freelancer sees the unread badge on the
portal's home, opens the thread (the badge goes), answers with a file; the owner sees the badge
on the engagement list, the answer and its file in the thread, and downloads it."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD

from .conftest import PASSWORD as FREELANCER_PASSWORD
from .conftest import linked_freelancer, start_engagement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, url, email, password, button="Log in"):
    page.goto(url)
    form = page.locator("form", has=page.get_by_role("button", name=button))
    form.get_by_label("Email").fill(email)
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name=button).click()


def test_both_sides_converse_with_a_file_and_the_unread_badge(page, browser, live_server, owner, workspace,
                                                              media, tmp_path):
    ana = linked_freelancer(workspace, name="Ana Alves", email="ana@example.net")
    ana.user.set_password(FREELANCER_PASSWORD)
    ana.user.save()
    engagement = start_engagement(workspace, owner, ana, title="Spring campaign", milestones=["Key visual"])

    sign_in(page, f"{live_server.url}/accounts/login/", owner.email, PASSWORD)
    page.goto(f"{live_server.url}/engagements/{engagement.pk}/messages/")
    page.get_by_role("textbox", name="Message").fill("Could you send the **fonts** you used?")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".thread-message").last).to_contain_text("Could you send the fonts you used?")

    freelancer = browser.new_context().new_page()
    sign_in(freelancer, f"{live_server.url}/portal/sign-in/", "ana@example.net", FREELANCER_PASSWORD,
            button="Sign in")
    freelancer.goto(f"{live_server.url}/portal/")
    expect(freelancer.get_by_title("Unread messages")).to_have_text("1 unread")
    freelancer.get_by_title("Unread messages").click()
    expect(freelancer.locator(".thread-message").last).to_contain_text("Could you send the fonts you used?")
    expect(freelancer.locator(".thread-system").first).to_be_visible()  # the engagement's story in the thread
    fonts = tmp_path / "fonts.txt"
    fonts.write_text("Inter and Lora")
    freelancer.get_by_role("textbox", name="Message").fill("Here they are.")
    freelancer.get_by_label("Attach files").set_input_files(str(fonts))
    freelancer.get_by_role("button", name="Send").click()
    expect(freelancer.locator(".thread-message").last).to_contain_text("fonts.txt")
    freelancer.goto(f"{live_server.url}/portal/")
    expect(freelancer.get_by_title("Unread messages")).to_have_count(0)

    page.goto(f"{live_server.url}/engagements/")
    expect(page.get_by_title("Unread messages")).to_have_text("1 unread")
    page.get_by_title("Unread messages").click()
    last = page.locator(".thread-message").last
    expect(last).to_contain_text("Here they are.")
    with page.expect_download() as download:
        last.get_by_role("link", name="fonts.txt").click()
    assert download.value.suggested_filename == "fonts.txt"
    assert Path(download.value.path()).read_text() == "Inter and Lora"
    page.goto(f"{live_server.url}/engagements/")
    expect(page.get_by_title("Unread messages")).to_have_count(0)
