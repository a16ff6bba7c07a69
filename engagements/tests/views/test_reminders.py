"""Owner pages: the engagement's reminders and notification history, its reminder settings,
and answering a request for a new due date."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from engagements.models import DateChangeStatus, Engagement
from engagements.reminders.status_updates import status_update_reminders
from engagements.services.due_date import milestone_date_request
from engagements.tests.conftest import fund
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_the_engagement_page_shows_its_reminders_and_notification_history(owner_client, active):
    overdue_at = active.next_update_due_at
    with time_machine.travel(overdue_at, tick=False):
        status_update_reminders()
    page = owner_client.get(f"/engagements/{active.pk}/").content.decode()
    assert "Reminders" in page and "Emails about this engagement" in page
    assert "Update reminder" in page  # the queued reminder, listed before it is sent
    assert "frida@example.net" in page
    assert f"/notifications/?engagement={active.pk}" in page
    listed = owner_client.get(f"/notifications/?engagement={active.pk}").content.decode()
    assert "Update reminder" in listed


def test_another_workspaces_emails_never_show_on_the_page(owner_client, active, outsider):
    other = outsider.memberships.get().workspace
    Notification.objects.create(workspace=other, recipient_email="x@example.com", kind="secret_kind",
                                dedupe_key="other:1", engagement_id=active.pk)
    page = owner_client.get(f"/engagements/{active.pk}/").content.decode()
    assert "Secret kind" not in page


def test_a_gone_quiet_engagement_says_so_on_its_page(owner_client, active):
    Engagement.objects.filter(pk=active.pk).update(gone_quiet_at=timezone.now())
    page = owner_client.get(f"/engagements/{active.pk}/").content.decode()
    assert "Gone quiet:" in page


def test_the_owner_tunes_the_ladder_per_engagement(owner_client, active):
    page = owner_client.get(f"/engagements/{active.pk}/reminders/")
    assert page.status_code == 200
    response = owner_client.post(f"/engagements/{active.pk}/reminders/", {
        "remind_freelancer_updates": "on", "update_escalate_hours": "48", "quiet_after_days": "7"})
    assert response.status_code == 302
    active.refresh_from_db()
    assert (active.remind_freelancer_updates, active.escalate_updates_to_owner, active.update_escalate_hours,
            active.quiet_after_days) == (True, False, 48, 7)
    assert active.activities.filter(kind="reminders_changed").exists()


def test_the_settings_show_field_errors(owner_client, active):
    response = owner_client.post(f"/engagements/{active.pk}/reminders/", {"update_escalate_hours": "0",
                                                                          "quiet_after_days": "5"})
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 1." in response.content.decode()


def test_outsiders_get_404(outsider_client, active):
    assert outsider_client.get(f"/engagements/{active.pk}/reminders/").status_code == 404
    milestone = active.milestones.get()
    assert outsider_client.post(f"/engagements/{active.pk}/milestones/{milestone.pk}/new-date/",
                                {"change": 1, "decision": "accept"}).status_code == 404


def test_the_owner_accepts_a_new_date_from_the_milestone_page(owner_client, active):
    milestone = active.milestones.get()
    fund(milestone)
    proposed = timezone.now().date() + dt.timedelta(days=30)
    change = milestone_date_request(milestone_id=milestone.pk, freelancer=active.freelancer,
                                    proposed_on=proposed, reason="Waiting for the copy.")
    page = owner_client.get(f"/engagements/{active.pk}/milestones/{milestone.pk}/").content.decode()
    assert "Waiting for the copy." in page and "New due dates asked for" in page
    response = owner_client.post(f"/engagements/{active.pk}/milestones/{milestone.pk}/new-date/",
                                 {"change": change.pk, "decision": "accept", "response": ""})
    assert response.status_code == 302
    milestone.refresh_from_db()
    change.refresh_from_db()
    assert milestone.due_on == proposed and change.status == DateChangeStatus.ACCEPTED
    # A second answer (another tab) changes nothing.
    owner_client.post(f"/engagements/{active.pk}/milestones/{milestone.pk}/new-date/",
                      {"change": change.pk, "decision": "decline", "response": "No"})
    change.refresh_from_db()
    assert change.status == DateChangeStatus.ACCEPTED


def test_the_list_marks_a_gone_quiet_engagement_at_risk(owner_client, active):
    Engagement.objects.filter(pk=active.pk).update(gone_quiet_at=timezone.now())
    page = owner_client.get("/engagements/?at_risk=1").content.decode()
    assert "Gone quiet</span>" in page and active.title in page
