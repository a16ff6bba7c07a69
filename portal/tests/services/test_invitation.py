"""An offer to a freelancer without a portal login carries their invitation in the brief email
(one email, a link that works); the beat sweep, kept for offers made before that, then finds
nothing to do, and never invites again after a fresh invitation or a revocation."""

import datetime as dt

import pytest
import time_machine

from accounts.models import Invitation, InvitationStatus
from engagements.models import Activity
from engagements.services import lifecycle
from freelancers.models import Freelancer, FreelancerStatus
from notifications.models import Notification
from notifications.reminders import invitation_reminders
from portal.services.invitation import offers_invite, portal_invitation_send

from ..conftest import start_engagement, start_engagement_offered

pytestmark = pytest.mark.django_db


def test_an_offer_invites_a_freelancer_without_a_login_in_the_brief_email(
        owner, workspace, nora, freelancer_a, celery_eager, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        engagement = start_engagement_offered(workspace, owner, nora)
        start_engagement(workspace, owner, freelancer_a, title="Ana has a login", milestones=["One"])
        assert offers_invite() == 0  # the offer invited already; the sweep has nothing left to do
    [invitation] = Invitation.objects.filter(target_id=nora.pk)
    assert (invitation.status, invitation.invited_by) == (InvitationStatus.PENDING, owner)
    [email] = [m for m in mailoutbox if m.to == ["nora@example.net"]]
    assert "/portal/invite/" in email.body and "brief" in email.subject
    assert Activity.objects.filter(engagement=engagement, kind="portal_invited").exists()
    # Ana can sign in already: her brief email links to the brief, with no invitation.
    [ana_email] = [m for m in mailoutbox if m.to == [freelancer_a.email]]
    assert "/portal/invite/" not in ana_email.body
    assert not Invitation.objects.filter(target_id=freelancer_a.pk).exists()


def test_the_offer_sweep_leaves_alone_who_was_just_invited_or_revoked(owner, owner_client, workspace, nora,
                                                                       freelancer_a, invite):
    invite()  # the owner pressed the button before offering
    start_engagement_offered(workspace, owner, nora)
    assert offers_invite() == 0
    # The offer's email carries a fresh link; the button's one stopped working.
    assert list(Invitation.objects.filter(target_id=nora.pk).order_by("pk").values_list("status", flat=True)) == \
        [InvitationStatus.REVOKED, InvitationStatus.PENDING]

    # Access revoked after an offer: the sweep does not let them back in.
    offered = start_engagement_offered(workspace, owner, freelancer_a)
    owner_client.post(f"/portal/owner/freelancers/{freelancer_a.pk}/revoke-access/")
    assert offers_invite() == 0
    # A new offer after that is a new decision: it invites again.
    lifecycle.engagement_withdraw(engagement=offered, actor=owner)
    lifecycle.engagement_offer(engagement=offered, actor=owner)
    assert Invitation.objects.filter(target_id=freelancer_a.pk, status=InvitationStatus.PENDING).count() == 1
    assert offers_invite() == 0


def test_a_portal_invitation_reminder_keeps_to_the_freelancers_decent_hours(workspace, owner):
    freelancer = Freelancer.objects.create(workspace=workspace, name="Tom Toronto", email="tom@example.net",
                                           status=FreelancerStatus.APPROVED, timezone="America/Toronto")
    sent = dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(sent, tick=False):
        portal_invitation_send(freelancer=freelancer, invited_by=owner)
    with time_machine.travel(sent + dt.timedelta(days=3), tick=False):  # 09:00 UTC: 04:00 in Toronto
        invitation_reminders()

    reminder = Notification.objects.get(kind="invitation_reminder")
    assert reminder.not_before == dt.datetime(2026, 2, 5, 13, 0, tzinfo=dt.UTC)  # 08:00 in Toronto
