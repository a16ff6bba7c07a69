"""The home page in Chromium, at desktop and phone width: nothing blocked by the CSP, nothing
wider than the screen, the charts drawn, and snoozing an item takes it off the list."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Membership, Role
from accounts.tests.factories import UserFactory, WorkspaceFactory
from payments.tests.conftest import fund, new_key, submit
from payments.tests.factories import EngagementFactory, MilestoneFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "violet-canyon-harbor-58"


@pytest.fixture
def busy_owner(db):
    from payments import services

    user = UserFactory(email="busy@example.com", full_name="Bea Busy")
    user.set_password(PASSWORD)
    user.save()
    workspace = WorkspaceFactory(name="Busy Studio")
    Membership.objects.create(user=user, workspace=workspace, role=Role.OWNER)
    engagement = EngagementFactory(workspace=workspace, title="A very long engagement title that goes on and on",
                                   next_update_due_at=timezone.now() - timedelta(days=1, hours=2))
    design = MilestoneFactory(engagement=engagement, title="Design", amount=300_000)
    fund(design, user)
    submit(design)
    services.milestone_release(milestone=design, actor=user, idempotency_key=new_key())
    fund(MilestoneFactory(engagement=engagement, title="Build", amount=600_000,
                          due_on=timezone.localdate() + timedelta(days=4)), user)
    return user


def sign_in(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("busy@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Busy Studio")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_home_page_fits_the_screen_and_its_charts_draw(page, live_server, busy_owner, width):
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server)

    assert errors == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    attention = page.get_by_test_id("attention")
    expect(attention.get_by_role("paragraph").filter(has_text="status update on")).to_be_visible()
    expect(page.get_by_text("Money released per month (USD)")).to_be_visible()
    expect(page.get_by_text("Budget burn: A very long engagement title")).to_be_visible()
    # The charts' figures are in tables for screen readers.
    expect(page.get_by_role("table", name="Money released per month in USD")).to_have_count(1)
    page.screenshot(path=f"/tmp/home-{width}.png", full_page=True)


def test_snoozing_takes_an_item_off_the_list(page, live_server, busy_owner):
    sign_in(page, live_server)
    attention = page.get_by_test_id("attention")
    row = attention.get_by_role("listitem").filter(has_text="status update on")
    row.get_by_role("button", name="Snooze for a day").click()

    expect(page.get_by_role("alert")).to_contain_text("Snoozed until this time tomorrow.")
    expect(attention.get_by_role("paragraph").filter(has_text="status update on")).to_have_count(0)
