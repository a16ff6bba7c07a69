"""An unaccepted invitation is reminded once after 3 days (with a fresh link); the inviter is
told when it expires; an accepted or revoked one is left alone."""

import datetime as dt
from datetime import UTC
from urllib.parse import urlparse

import pytest
import time_machine

from accounts import services as account_services
from accounts.models import Invitation, InvitationRole
from notifications.models import Notification
from notifications.reminders import invitation_reminders
from notifications.services import invitation_send, notification_send

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 2, 2, 10, 0, tzinfo=UTC)


def at(moment):
    with time_machine.travel(moment, tick=False):
        return invitation_reminders()


@pytest.fixture
def invitation(workspace, owner):
    with time_machine.travel(T0, tick=False):
        return invitation_send(workspace=workspace, email="New.Hire@Example.com", role=InvitationRole.MANAGER,
                               invited_by=owner, accept_url_name="invitation_open", kind="teammate_invitation")


def link_in(notification, mailoutbox):
    mailoutbox.clear()
    assert notification_send(notification_id=notification.pk) == "sent"
    body = mailoutbox[0].body
    return next(word for word in body.split() if "/invite/" in word)


def test_one_reminder_after_three_days_with_a_fresh_link_that_works(invitation, client, mailoutbox):
    first_link = link_in(Notification.objects.get(kind="teammate_invitation"), mailoutbox)
    assert at(T0 + dt.timedelta(days=3) - dt.timedelta(minutes=1)) == {"reminded": 0, "expired": 0}
    assert at(T0 + dt.timedelta(days=3)) == {"reminded": 1, "expired": 0}
    assert at(T0 + dt.timedelta(days=4)) == {"reminded": 0, "expired": 0}

    [reminder] = Notification.objects.filter(kind="invitation_reminder")
    assert reminder.recipient_email == "new.hire@example.com"
    new_link = link_in(reminder, mailoutbox)
    assert new_link != first_link
    assert "replaces the one in the first email" in mailoutbox[0].body
    reminder.refresh_from_db()
    assert reminder.context["accept_url"] == "[removed after sending]"  # the one-time link is not kept

    with time_machine.travel(T0 + dt.timedelta(days=4), tick=False):
        assert "Join Acme Studio" in client.get(urlparse(new_link).path, follow=True).content.decode()
        with pytest.raises(account_services.InvitationError):
            account_services.invitation_lookup(token=urlparse(first_link).path.strip("/").split("/")[-1])


def test_the_inviter_is_told_once_when_it_expires(invitation, owner):
    at(T0 + dt.timedelta(days=3))
    assert at(T0 + dt.timedelta(days=7) - dt.timedelta(minutes=1)) == {"reminded": 0, "expired": 0}
    assert at(T0 + dt.timedelta(days=7)) == {"reminded": 0, "expired": 1}
    assert at(T0 + dt.timedelta(days=9)) == {"reminded": 0, "expired": 0}
    [told] = Notification.objects.filter(kind="invitation_expired")
    assert told.recipient_email == owner.email
    assert told.context["invitee_email"] == "new.hire@example.com"
    assert told.context["url"].endswith("/team/")
    invitation.refresh_from_db()
    assert (invitation.reminder_step, invitation.next_reminder_at) == (2, None)


def test_an_accepted_invitation_gets_neither(invitation):
    Invitation.objects.filter(pk=invitation.pk).update(status="accepted")
    assert at(T0 + dt.timedelta(days=3)) == {"reminded": 0, "expired": 0}
    assert at(T0 + dt.timedelta(days=8)) == {"reminded": 0, "expired": 0}
    assert not Notification.objects.filter(kind__in=["invitation_reminder", "invitation_expired"]).exists()


def test_a_resent_invitation_starts_its_own_ladder_and_the_old_one_stops(invitation, workspace, owner):
    with time_machine.travel(T0 + dt.timedelta(days=2), tick=False):
        newer = invitation_send(workspace=workspace, email="new.hire@example.com", role=InvitationRole.MANAGER,
                                invited_by=owner, accept_url_name="invitation_open", kind="teammate_invitation")
    assert at(T0 + dt.timedelta(days=3)) == {"reminded": 0, "expired": 0}  # the revoked one: silence
    assert at(T0 + dt.timedelta(days=5)) == {"reminded": 1, "expired": 0}
    assert Notification.objects.get(kind="invitation_reminder").dedupe_key == f"invitation-reminder:{newer.pk}"


def test_the_reminder_keeps_to_decent_hours_in_the_invitees_own_zone(workspace, owner):
    from accounts.tests.factories import UserFactory

    UserFactory(email="new.hire@example.com", timezone="Asia/Tokyo")  # already has an account elsewhere
    with time_machine.travel(T0, tick=False):
        invitation_send(workspace=workspace, email="new.hire@example.com", role=InvitationRole.MANAGER,
                        invited_by=owner, accept_url_name="invitation_open", kind="teammate_invitation")

    at(T0 + dt.timedelta(days=3, hours=2))  # 12:00 UTC: 21:00 in Tokyo

    reminder = Notification.objects.get(kind="invitation_reminder")
    assert reminder.not_before == dt.datetime(2026, 2, 5, 23, 0, tzinfo=UTC)  # 08:00 in Tokyo
