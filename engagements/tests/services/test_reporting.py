"""Status updates and check-ins."""

import datetime as dt
from datetime import UTC

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from engagements.models import Activity, CheckInStatus
from engagements.selectors import update_prompts
from engagements.services.lifecycle import engagement_complete
from engagements.services.reporting import (
    checkin_record,
    checkin_schedule,
    checkin_update,
    status_update_post,
    update_prompts_save,
)
from engagements.services.transitions import ConflictError, NotAllowed
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def post(engagement, freelancer, **kw):
    fields = {"done": "Wireframes", "next": "Visual design", "percent_complete": 30, **kw}
    return status_update_post(engagement_id=engagement.pk, freelancer=freelancer, **fields)


def test_an_update_is_recorded_on_the_timeline(active, freelancer):
    update = post(active, freelancer, hours="7.5")
    assert update.hours == pytest.approx(7.5)
    assert Activity.objects.filter(kind="status_update", actor_freelancer=freelancer).exists()
    assert not Notification.objects.filter(kind="status_blocker").exists()


def test_a_blocker_tells_the_owner(active, freelancer, owner):
    post(active, freelancer, blockers="No access to the staging server")
    email = Notification.objects.get(kind="status_blocker")
    assert email.recipient_email == owner.email
    assert email.context["blockers"] == "No access to the staging server"


def test_bad_input_names_the_fields(active, freelancer):
    with pytest.raises(ValidationError) as exc:
        post(active, freelancer, done="", next="", percent_complete=140, hours="-1")
    assert set(exc.value.error_dict) == {"done", "next", "percent_complete", "hours"}


def test_only_the_engagements_freelancer_posts(active, other_freelancer):
    with pytest.raises(NotAllowed):
        post(active, other_freelancer)


def test_no_updates_before_the_work_starts(engagement, freelancer):
    with pytest.raises(ConflictError):
        post(engagement, freelancer)


def test_the_workspace_prompts_default_and_can_be_changed(workspace):
    assert update_prompts(workspace).done_prompt.startswith("What did you finish")
    update_prompts_save(workspace=workspace, done_prompt="Shipped?", next_prompt="Next?",
                        blockers_prompt="Stuck?")
    assert update_prompts(workspace).done_prompt == "Shipped?"


def test_a_check_in_emails_the_freelancer_a_calendar_invitation_in_their_time(active, owner, freelancer):
    checkin = checkin_schedule(engagement=active, actor=owner,
                               scheduled_at=dt.datetime(2030, 7, 1, 14, 0, tzinfo=UTC), agenda="Demo",
                               meeting_url="https://meet.example.com/abc")
    email = Notification.objects.get(kind="checkin_scheduled")
    assert email.recipient_email == freelancer.email
    assert "15:00 (Europe/Lisbon)" in email.context["when"]
    ics = email.attachments[0]
    assert ics["filename"] == "check-in.ics" and "DTSTART:20300701T140000Z" in ics["content"]
    checkin_update(checkin=checkin, actor=owner, scheduled_at=dt.datetime(2030, 7, 2, 14, 0, tzinfo=UTC),
                   agenda="Demo")
    assert Notification.objects.filter(kind="checkin_scheduled").count() == 2


def test_a_check_in_in_the_future_cannot_have_happened(active, owner):
    checkin = checkin_schedule(engagement=active, actor=owner,
                               scheduled_at=timezone.now() + dt.timedelta(days=1))
    with pytest.raises(ValidationError):
        checkin_record(checkin=checkin, actor=owner, happened=True)
    checkin_record(checkin=checkin, actor=owner, happened=False, notes="They cancelled")
    checkin.refresh_from_db()
    assert checkin.status == CheckInStatus.MISSED


def test_a_past_check_in_can_be_logged_directly(active, owner):
    checkin = checkin_schedule(engagement=active, actor=owner, happened=True, notes="Good call",
                               scheduled_at=timezone.now() - dt.timedelta(hours=2))
    assert checkin.status == CheckInStatus.HAPPENED
    assert not Notification.objects.filter(kind="checkin_scheduled").exists()


def test_no_check_ins_on_a_finished_engagement(active, owner):
    engagement_complete(engagement=active, actor=owner)
    with pytest.raises(ConflictError):
        checkin_schedule(engagement=active, actor=owner, scheduled_at=timezone.now())


def test_a_check_in_years_away_is_refused(active, owner):
    with pytest.raises(ValidationError) as exc:
        checkin_schedule(engagement=active, actor=owner,
                         scheduled_at=dt.datetime(9999, 12, 31, 23, 0, tzinfo=UTC))
    assert "scheduled_at" in exc.value.error_dict
