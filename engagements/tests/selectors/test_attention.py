"""Each engagement kind of "needs attention" appears when its condition holds and disappears
once it is handled, through the same services the pages call. Read through the whole list
(payments.selectors.attention.owner_attention), as the home page and the API read it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from engagements.reminders.silence import silence_detector
from engagements.selectors import current_brief
from engagements.services.brief import brief_save
from engagements.services.due_date import milestone_date_decide, milestone_date_request
from engagements.services.lifecycle import brief_acknowledge, engagement_offer, engagement_update
from engagements.services.milestone import milestone_create, milestone_submit
from engagements.services.playbook import playbook_acknowledge, playbook_attach, playbook_document_create
from engagements.services.reporting import checkin_cancel, checkin_schedule, status_update_post
from engagements.tests.conftest import BRIEF, fund
from payments.selectors.attention import owner_attention


def items(workspace, user):
    return {i.key: i for i in owner_attention(workspace, user=user, now=timezone.now())}


def post_update(engagement):
    status_update_post(engagement_id=engagement.pk, freelancer=engagement.freelancer, done="Wireframes.",
                       next="Mock-ups.", percent_complete=20)


def test_an_overdue_status_update_needs_attention_until_it_comes(active, workspace, owner, time_machine):
    key = f"update_overdue:{active.pk}"
    assert key not in items(workspace, owner)
    time_machine.move_to(active.next_update_due_at + timedelta(hours=5))
    item = items(workspace, owner)[key]
    assert item.severity == "overdue"
    assert item.title == "Frida Lance's status update on “Checkout redesign” is 5 hours overdue."
    assert item.url == f"/engagements/{active.pk}/updates/"

    post_update(active)

    assert key not in items(workspace, owner)


def test_a_gone_quiet_engagement_names_the_suggested_backup(active, workspace, owner, other_freelancer,
                                                           time_machine):
    engagement_update(engagement=active, actor=owner, backups=[other_freelancer])
    key = f"silent:{active.pk}"
    time_machine.move_to(timezone.now() + timedelta(days=active.quiet_after_days, hours=1))
    silence_detector()
    item = items(workspace, owner)[key]
    assert "Frida Lance has gone quiet on “Checkout redesign”: nothing for 5 days." in item.title
    assert "Suggested backup: Bruno Backup." in item.title

    post_update(active)

    assert key not in items(workspace, owner)


@pytest.fixture
def due_soon(active, owner):
    """A funded milestone due in two days."""
    milestone, _ = milestone_create(engagement=active, actor=owner, title="Checkout page",
                                    acceptance_criteria="As briefed.", amount=40000,
                                    due_on=timezone.localdate() + timedelta(days=2))
    fund(milestone)
    milestone.refresh_from_db()
    return milestone


def submit(milestone):
    milestone_submit(milestone_id=milestone.pk, freelancer=milestone.engagement.freelancer, message="Done.",
                     attest_own_work=True)


def test_an_overdue_milestone_needs_attention_until_the_work_is_submitted(due_soon, workspace, owner,
                                                                          time_machine):
    key = f"milestone_overdue:{due_soon.pk}"
    time_machine.move_to(due_soon.due_at + timedelta(days=1, hours=2))
    item = items(workspace, owner)[key]
    assert item.title == "“Checkout page” by Frida Lance (Checkout redesign) is 1 day overdue."
    assert item.severity == "overdue" and item.milestone == due_soon.pk

    submit(due_soon)

    assert key not in items(workspace, owner)


def test_a_milestone_due_within_two_days_and_not_submitted_is_at_risk(due_soon, workspace, owner, time_machine):
    key = f"milestone_at_risk:{due_soon.pk}"
    time_machine.move_to(due_soon.due_at - timedelta(hours=10))
    item = items(workspace, owner)[key]
    assert item.severity == "today"
    assert item.title == "“Checkout page” by Frida Lance (Checkout redesign) is due in 10 hours and not submitted yet."

    submit(due_soon)

    assert key not in items(workspace, owner)


def test_a_date_request_waits_for_the_owners_answer(due_soon, workspace, owner):
    change = milestone_date_request(milestone_id=due_soon.pk, freelancer=due_soon.engagement.freelancer,
                                    proposed_on=due_soon.due_on + timedelta(days=3), reason="The API is late.")
    key = f"date_request:{change.pk}"
    assert "Frida Lance asks to move “Checkout page” (Checkout redesign)" in items(workspace, owner)[key].title

    milestone_date_decide(change=change, actor=owner, accept=True)

    assert key not in items(workspace, owner)


def test_an_offered_brief_not_yet_acknowledged_needs_attention(engagement, workspace, owner):
    brief_save(engagement=engagement, actor=owner, **BRIEF)
    milestone_create(engagement=engagement, actor=owner, title="Part 1", acceptance_criteria="As briefed.",
                     amount=50000)
    engagement_offer(engagement=engagement, actor=owner)
    brief = current_brief(engagement)
    key = f"brief_unacknowledged:{brief.pk}"
    item = items(workspace, owner)[key]
    assert item.title.startswith("Frida Lance has not acknowledged the brief (version 1) of “Checkout redesign”")
    assert item.severity == "soon"

    brief_acknowledge(brief_id=brief.pk, freelancer=engagement.freelancer)

    assert key not in items(workspace, owner)


def test_a_playbook_document_not_yet_read_needs_attention(active, workspace, owner):
    document = playbook_document_create(workspace=workspace, actor=owner, title="How we work", kind="how_we_work",
                                        body="Post an update every three days.")
    playbook_attach(engagement=active, document=document, actor=owner)
    keys = [k for k in items(workspace, owner) if k.startswith("playbook_unacknowledged:")]
    assert len(keys) == 1
    assert "Frida Lance has not read “How we work” (version 1)" in items(workspace, owner)[keys[0]].title

    document.refresh_from_db()
    version = document.versions.get(version=document.current_version)
    playbook_acknowledge(version_id=version.pk, freelancer=active.freelancer)

    assert keys[0] not in items(workspace, owner)


def test_a_check_in_today_needs_attention_until_it_is_recorded_or_cancelled(active, workspace, owner,
                                                                            time_machine):
    # Noon in the workspace's time zone, so the check-in two hours later is the same day.
    start = timezone.localtime(timezone.now(), timezone=timezone.get_fixed_timezone(0)).replace(
        hour=12, minute=0) + timedelta(days=1)
    time_machine.move_to(start, tick=False)
    checkin = checkin_schedule(engagement=active, actor=owner, scheduled_at=start + timedelta(hours=2))
    key = f"checkin_today:{checkin.pk}"
    item = items(workspace, owner)[key]
    assert item.severity == "today"
    assert item.title == "Check-in with Frida Lance about “Checkout redesign” today at 14:00 (in 2 hours)."

    checkin_cancel(checkin=checkin, actor=owner)

    assert key not in items(workspace, owner)
