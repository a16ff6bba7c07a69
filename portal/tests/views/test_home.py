"""The freelancer's home and profile: what waits on each engagement, a time zone that moves
every profile and deadline, email choices in every workspace."""

import re
import zoneinfo
from datetime import date, datetime, timedelta

import pytest
import time_machine

from payments import services as payments

from ..conftest import SECRET_MARK, key, start_engagement

pytestmark = pytest.mark.django_db


def test_changing_the_time_zone_moves_every_profile_and_deadline(client_a, workspace, owner, freelancer_a, user_a):
    from accounts.tests.factories import WorkspaceFactory
    from freelancers.models import Freelancer

    other = Freelancer.objects.create(workspace=WorkspaceFactory(), name="Ana", email=user_a.email, user=user_a,
                                      timezone="Europe/Lisbon")
    # Mid-day in both zones, so "three days on" is the same calendar day in each.
    with time_machine.travel(datetime(2026, 3, 2, 18, 0, tzinfo=zoneinfo.ZoneInfo("UTC")), tick=False):
        engagement = start_engagement(workspace, owner, freelancer_a, title="Site", milestones=["One"])
        before = engagement.next_update_due_at
        response = client_a.post("/portal/profile/", {"full_name": "Ana A.", "timezone": "America/Los_Angeles"},
                                  follow=True)
    assert "Profile saved." in response.content.decode()
    freelancer_a.refresh_from_db()
    other.refresh_from_db()
    user_a.refresh_from_db()
    assert {freelancer_a.timezone, other.timezone, user_a.timezone} == {"America/Los_Angeles"}
    assert user_a.full_name == "Ana A."
    engagement.refresh_from_db()
    # The end of the freelancer's day moved eight hours later (Lisbon → Los Angeles in March).
    assert engagement.next_update_due_at - before == timedelta(hours=8)
    assert client_a.post("/portal/profile/", {"full_name": "Ana", "timezone": "Mars/Olympus"}).status_code == 200
    freelancer_a.refresh_from_db()
    assert freelancer_a.timezone == "America/Los_Angeles"


def test_the_owner_changing_the_time_zone_moves_the_deadlines_too(owner_client, workspace, owner, freelancer_a):
    from engagements.models import Milestone
    from freelancers.models import Freelancer

    Freelancer.objects.filter(pk=freelancer_a.pk).update(timezone="Europe/Lisbon")
    freelancer_a.refresh_from_db()
    with time_machine.travel(datetime(2026, 3, 2, 18, 0, tzinfo=zoneinfo.ZoneInfo("UTC")), tick=False):
        engagement = start_engagement(workspace, owner, freelancer_a, title="Site", milestones=["One"])
        milestone = engagement.milestones.get()
        Milestone.objects.filter(pk=milestone.pk).update(due_on=datetime(2026, 3, 20).date())
        from engagements.services.deadlines import milestones_due_recompute
        milestones_due_recompute(engagement=engagement)
        before, due_before = engagement.next_update_due_at, Milestone.objects.get(pk=milestone.pk).due_at
        data = {"name": freelancer_a.name, "email": freelancer_a.email, "timezone": "America/Los_Angeles",
                "status": freelancer_a.status, "rate_amount": "50", "rate_unit": "hour", "currency": "USD"}
        response = owner_client.post(f"/freelancers/{freelancer_a.pk}/edit/", data, follow=True)
    assert "Profile saved." in response.content.decode(), response.content.decode()[:3000]
    engagement.refresh_from_db()
    assert engagement.next_update_due_at - before == timedelta(hours=8)
    assert Milestone.objects.get(pk=milestone.pk).due_at - due_before == timedelta(hours=7)


def test_home_lists_what_waits_for_the_freelancer(client_a, offered, world):
    page = client_a.get("/portal/").content.decode()
    assert "Read and acknowledge brief v1" in page  # the offered one
    assert "Read and acknowledge brief v2" in page  # the change order on the running one
    assert "Finished" in page and f"{SECRET_MARK} logo" in page


def test_reminder_emails_can_be_turned_off_in_every_workspace(client_a, workspace, freelancer_a, user_a):
    from accounts.tests.factories import WorkspaceFactory
    from freelancers.models import Freelancer
    from notifications.preferences import mode_for

    other = Freelancer.objects.create(workspace=WorkspaceFactory(), name="Ana", email=user_a.email, user=user_a)
    page = client_a.get("/portal/profile/").content.decode()
    assert "Email me: reminders" in page and 'checked' in page
    client_a.post("/portal/profile/", {"full_name": "Ana", "timezone": "Europe/Lisbon"})  # box unticked
    for profile in (freelancer_a, other):
        assert mode_for(workspace_id=profile.workspace_id, email=profile.email, kind="update_reminder") == "off"
    # Emails about the work itself are not a choice.
    assert mode_for(workspace_id=workspace.pk, email=freelancer_a.email, kind="brief_changed") == "on"
    client_a.post("/portal/profile/", {"full_name": "Ana", "timezone": "Europe/Lisbon", "email_reminders": "on"})
    assert mode_for(workspace_id=workspace.pk, email=freelancer_a.email, kind="milestone_due_soon") == "on"


def _figure(page, name):
    """The text of one money line on the portal home (`data-figure`)."""
    match = re.search(rf'data-figure="{name}">(.*?)</div>', page, re.S)
    return re.sub(r"<[^>]+>", " ", match.group(1)) if match else ""


def test_the_home_follows_the_money_from_funding_to_payout(client_a, workspace, owner, freelancer_a):
    engagement = start_engagement(workspace, owner, freelancer_a, title="Site", milestones=["Design"])
    milestone = engagement.milestones.get()
    assert "Nothing is held or owed to you yet" in client_a.get("/portal/").content.decode()

    payments.milestone_fund(milestone=milestone, actor=owner, idempotency_key=key())
    page = client_a.get("/portal/").content.decode()
    assert "1,000.00" in _figure(page, "held")
    money_page = client_a.get("/portal/money/").content.decode()
    assert "No money has moved yet" not in money_page and "Milestone funded" in money_page

    payments.milestone_submit_for_review(milestone_id=milestone.pk, freelancer=freelancer_a, message="Done.",
                                         attest_own_work=True)
    page = client_a.get("/portal/").content.decode()
    assert "0.00" in _figure(page, "held") and "1,000.00" in _figure(page, "in_review")
    assert "released automatically" in page

    payments.milestone_release(milestone=milestone, actor=owner, idempotency_key=key())
    page = client_a.get("/portal/").content.decode()
    assert "1,000.00" in _figure(page, "payable") and "1,000.00" not in _figure(page, "in_review")

    payments.payout_record(engagement=engagement, actor=owner, amount=100_000, method="bank_transfer",
                           reference="TR-1", paid_on=date.today(), idempotency_key=key())
    page = client_a.get("/portal/").content.decode()
    assert "0.00" in _figure(page, "payable") and "1,000.00" in _figure(page, "paid_out")
