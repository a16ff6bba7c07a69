"""Engagement lifecycle through the services: offer, acknowledge, pause, resume, end."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from engagements.models import Activity, CheckIn, EngagementStatus, MilestoneState
from engagements.selectors import current_brief
from engagements.services.access import access_grant_create
from engagements.services.brief import brief_save
from engagements.services.lifecycle import (
    engagement_cancel,
    engagement_complete,
    engagement_create,
    engagement_offer,
    engagement_pause,
    engagement_resume,
    engagement_update,
    engagement_withdraw,
)
from engagements.services.milestone import milestone_create
from engagements.services.reporting import checkin_schedule
from engagements.services.transitions import ConflictError, EngagementTransitionError
from engagements.tests.conftest import BRIEF, activate, fund
from freelancers.models import FreelancerStatus
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_it_refuses_to_offer_without_a_brief(engagement, owner):
    with pytest.raises(ConflictError, match="Write the brief"):
        engagement_offer(engagement=engagement, actor=owner)
    engagement.refresh_from_db()
    assert engagement.status == EngagementStatus.DRAFT


def test_it_refuses_to_offer_fixed_price_work_without_a_milestone(engagement, owner):
    brief_save(engagement=engagement, actor=owner, **BRIEF)
    with pytest.raises(ConflictError, match="at least one milestone"):
        engagement_offer(engagement=engagement, actor=owner)


def test_offering_sends_the_brief_and_waits_for_acknowledgement(engagement, owner, freelancer):
    brief_save(engagement=engagement, actor=owner, **BRIEF)
    milestone_create(engagement=engagement, actor=owner, title="Design", acceptance_criteria="ok", amount=1000)
    engagement_offer(engagement=engagement, actor=owner)
    engagement.refresh_from_db()
    assert engagement.status == EngagementStatus.OFFERED
    assert engagement.offered_at is not None
    assert engagement.next_update_due_at is None
    email = Notification.objects.get(kind="brief_offered")
    assert email.recipient_email == freelancer.email
    assert email.engagement_id == engagement.pk
    assert current_brief(engagement).sent_at is not None


def test_acknowledging_the_current_brief_starts_the_work(engagement, owner, freelancer):
    engagement = activate(engagement, owner)
    assert engagement.status == EngagementStatus.ACTIVE
    assert engagement.activated_at is not None
    assert engagement.next_update_due_at is not None
    assert engagement.next_checkin_at is not None
    assert Notification.objects.filter(kind="brief_acknowledged", recipient_email=owner.email).exists()
    kinds = list(Activity.objects.filter(engagement=engagement).values_list("kind", flat=True))
    assert {"created", "brief_version", "offered", "brief_acknowledged", "activated"} <= set(kinds)


def test_the_owner_can_withdraw_an_offer_and_offer_again(engagement, owner):
    brief_save(engagement=engagement, actor=owner, **BRIEF)
    milestone_create(engagement=engagement, actor=owner, title="Design", acceptance_criteria="ok", amount=1000)
    engagement_offer(engagement=engagement, actor=owner)
    engagement_withdraw(engagement=engagement, actor=owner)
    engagement.refresh_from_db()
    assert engagement.status == EngagementStatus.DRAFT
    engagement_offer(engagement=engagement, actor=owner)
    assert Notification.objects.filter(kind="brief_offered").count() == 2


def test_pause_stops_the_deadlines_and_resume_restarts_them(active, owner):
    engagement_pause(engagement=active, actor=owner)
    active.refresh_from_db()
    assert active.status == EngagementStatus.PAUSED
    assert active.next_update_due_at is None and active.next_checkin_at is None
    engagement_resume(engagement=active, actor=owner)
    active.refresh_from_db()
    assert active.status == EngagementStatus.ACTIVE
    assert active.resumed_at is not None
    assert active.next_update_due_at > active.resumed_at


def test_a_finished_engagement_cannot_be_resumed_or_paused(active, owner):
    engagement_complete(engagement=active, actor=owner)
    with pytest.raises(EngagementTransitionError):
        engagement_pause(engagement=active, actor=owner)
    with pytest.raises(EngagementTransitionError):
        engagement_resume(engagement=active, actor=owner)


def test_completing_revokes_every_grant_and_puts_each_secret_on_the_checklist(active, owner):
    with_secret = access_grant_create(engagement=active, actor=owner, label="WordPress", secret="hunter22")
    without = access_grant_create(engagement=active, actor=owner, label="Shared drive folder",
                                  url="https://drive.example.com/x")
    engagement_complete(engagement=active, actor=owner, reason="Delivered")
    active.refresh_from_db()
    assert active.status == EngagementStatus.COMPLETED
    assert active.ended_at is not None
    assert active.next_update_due_at is None
    with_secret.refresh_from_db()
    without.refresh_from_db()
    assert with_secret.revoked_at and without.revoked_at
    assert with_secret.needs_rotation and not without.needs_rotation
    rotate = Notification.objects.get(kind="access_rotate")
    assert rotate.recipient_email == owner.email
    assert rotate.context["labels"] == ["WordPress"]
    assert "hunter22" not in str(rotate.context)
    assert Notification.objects.filter(kind="engagement_ended", recipient_email=active.freelancer.email).exists()


def test_cancelling_also_revokes_and_cancels_future_check_ins(active, owner):
    grant = access_grant_create(engagement=active, actor=owner, label="FTP", secret="s3cret")
    checkin = checkin_schedule(engagement=active, actor=owner,
                               scheduled_at=timezone.now() + timedelta(days=2))
    engagement_cancel(engagement=active, actor=owner, reason="Budget cut")
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    assert CheckIn.objects.get(pk=checkin.pk).status == "missed"


def test_it_refuses_to_end_while_a_milestone_holds_money(active, owner):
    milestone = active.milestones.get()
    fund(milestone)
    with pytest.raises(ConflictError, match="Settle these milestones"):
        engagement_complete(engagement=active, actor=owner)
    active.refresh_from_db()
    assert active.status == EngagementStatus.ACTIVE


def test_a_draft_can_be_cancelled_outright(engagement, owner):
    engagement_cancel(engagement=engagement, actor=owner)
    engagement.refresh_from_db()
    assert engagement.status == EngagementStatus.CANCELLED


def test_it_refuses_a_do_not_hire_freelancer(workspace, owner, freelancer):
    freelancer.do_not_hire = True
    freelancer.do_not_hire_reason = "Missed every deadline"
    freelancer.save()
    with pytest.raises(ValidationError) as exc:
        engagement_create(workspace=workspace, created_by=owner, freelancer=freelancer, title="X")
    assert "do-not-hire" in str(exc.value)


def test_it_refuses_a_freelancer_from_another_workspace(workspace, owner, foreign_engagement):
    with pytest.raises(ValidationError):
        engagement_create(workspace=workspace, created_by=owner, freelancer=foreign_engagement.freelancer,
                          title="X")


def test_hourly_terms_need_a_weekly_cap(workspace, owner, freelancer):
    with pytest.raises(ValidationError) as exc:
        engagement_create(workspace=workspace, created_by=owner, freelancer=freelancer, title="X",
                          pay_terms="hourly")
    assert "weekly_hour_cap" in exc.value.error_dict


def test_backups_come_from_the_workspace_and_are_not_the_freelancer(workspace, owner, freelancer, other_freelancer):
    with pytest.raises(ValidationError):
        engagement_create(workspace=workspace, created_by=owner, freelancer=freelancer, title="X",
                          backups=[freelancer])
    engagement = engagement_create(workspace=workspace, created_by=owner, freelancer=freelancer,
                                   title="X", backups=[other_freelancer])
    assert list(engagement.backups.all()) == [other_freelancer]


def test_the_freelancer_is_fixed_once_offered(engagement, owner, other_freelancer):
    activate(engagement, owner)
    with pytest.raises(ConflictError):
        engagement_update(engagement=engagement, actor=owner, freelancer=other_freelancer)


def test_the_currency_is_fixed_once_milestones_exist(engagement, owner):
    milestone_create(engagement=engagement, actor=owner, title="A", acceptance_criteria="ok", amount=100)
    with pytest.raises(ValidationError):
        engagement_update(engagement=engagement, actor=owner, currency="EUR")


def test_a_finished_engagement_cannot_be_edited(active, owner):
    engagement_complete(engagement=active, actor=owner)
    with pytest.raises(ConflictError):
        engagement_update(engagement=active, actor=owner, title="New")


def test_milestones_cannot_change_after_the_end(active, owner):
    engagement_complete(engagement=active, actor=owner)
    with pytest.raises(ConflictError):
        milestone_create(engagement=active, actor=owner, title="B", acceptance_criteria="ok", amount=1)
    assert active.milestones.get().state == MilestoneState.DRAFT


def test_backups_come_from_the_bench(workspace, owner, freelancer, other_freelancer):
    other_freelancer.status = FreelancerStatus.VETTING
    other_freelancer.save()
    with pytest.raises(ValidationError) as exc:
        engagement_create(workspace=workspace, created_by=owner, freelancer=freelancer, title="X",
                          backups=[other_freelancer])
    assert "not on the bench" in str(exc.value)
