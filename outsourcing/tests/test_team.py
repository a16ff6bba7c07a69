"""The team page: inviting, re-sending and revoking teammate invitations."""

import pytest
from django.test import Client

from accounts.models import Invitation, InvitationStatus, Membership
from accounts.tests.factories import UserFactory
from notifications.models import Notification, NotificationStatus
from outsourcing.tests.conftest import invitation_path

pytestmark = pytest.mark.django_db


def test_the_owner_invites_a_teammate_by_email(owner_client, workspace, send_invitation, mailoutbox):
    path = send_invitation("New.Hire@Example.com")

    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.status, invitation.workspace) == (
        "new.hire@example.com", InvitationStatus.PENDING, workspace)
    notification = Notification.objects.get()
    assert (notification.kind, notification.recipient_email, notification.status) == (
        "teammate_invitation", "new.hire@example.com", NotificationStatus.SENT)
    assert notification.dedupe_key == f"invitation:{invitation.pk}"
    assert notification.context["accept_url"] == "[removed after sending]"

    [message] = mailoutbox
    assert message.to == ["new.hire@example.com"]
    assert message.subject == "[Acme Studio] Olivia Owner invited you to join Acme Studio"
    assert "expires in 7 days" in message.body
    assert f"http://127.0.0.1:8000{path}" in message.alternatives[0].content
    assert path.startswith("/invite/") and len(path) > 50

    page = owner_client.get("/team/").content.decode()
    assert "Invitation sent to new.hire@example.com." in page
    assert "new.hire@example.com" in owner_client.get("/").content.decode()


def test_an_email_with_an_apostrophe_reads_plainly(owner, owner_client, send_invitation, mailoutbox):
    owner.full_name = "Olivia O'Brien"
    owner.save()
    send_invitation()
    assert mailoutbox[0].subject.endswith("Olivia O'Brien invited you to join Acme Studio")
    assert "Olivia O'Brien invited you" in mailoutbox[0].body
    assert "O&#x27;Brien" in mailoutbox[0].alternatives[0].content


def test_the_home_page_has_the_invite_form_for_owners_only(owner_client, manager):
    home = owner_client.get("/").content.decode()
    assert 'action="/team/"' in home
    assert 'for="id_email"' in home
    assert 'action="/team/"' not in _client_for(manager).get("/").content.decode()


@pytest.mark.parametrize("email, error", [
    ("not-an-email", "Enter a valid email address."),
    ("MANAGER@example.com", "already a member"),
])
def test_it_refuses_a_bad_or_existing_member_email(owner_client, manager, email, error):
    response = owner_client.post("/team/", {"email": email})

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Invitation.objects.exists()
    assert not Notification.objects.exists()


def test_a_manager_cannot_invite(manager_client, workspace):
    response = manager_client.post("/team/", {"email": "friend@example.com"}, follow=True)

    assert "Only the workspace owner can invite teammates." in response.content.decode()
    assert not Invitation.objects.exists()
    assert not Notification.objects.exists()
    assert "Send invitation" not in manager_client.get("/team/").content.decode()


def test_resending_kills_the_old_link_and_mails_a_new_one(owner_client, client, send_invitation,
                                                          mailoutbox, django_capture_on_commit_callbacks):
    old_path = send_invitation()
    first = Invitation.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/team/invitations/{first.pk}/resend/", follow=True)

    assert "the old link no longer works" in response.content.decode()
    first.refresh_from_db()
    assert first.status == InvitationStatus.REVOKED
    second = Invitation.objects.exclude(pk=first.pk).get()
    assert second.status == InvitationStatus.PENDING
    assert len(mailoutbox) == 2
    assert Notification.objects.filter(status=NotificationStatus.SENT).count() == 2

    client.logout()
    dead = client.get(old_path, follow=True)
    assert dead.status_code == 410
    assert "This invitation was withdrawn." in dead.content.decode()
    posted = client.post("/invite/", {"full_name": "Nina", "password": "quiet-harbour-lamp-77", "timezone": "UTC"})
    assert posted.status_code == 410
    assert not Membership.objects.filter(user__email="new.hire@example.com").exists()
    assert not UserFactory._meta.model.objects.filter(email="new.hire@example.com").exists()
    # The new link does work.
    new_path = invitation_path(mailoutbox[-1])
    assert new_path != old_path
    assert "Join Acme Studio" in client.get(new_path, follow=True).content.decode()


def test_the_owner_revokes_a_pending_invitation(owner_client, client, send_invitation):
    path = send_invitation()
    invitation = Invitation.objects.get()

    response = owner_client.post(f"/team/invitations/{invitation.pk}/revoke/", follow=True)

    assert "The invitation for new.hire@example.com was revoked." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED
    again = owner_client.post(f"/team/invitations/{invitation.pk}/revoke/", follow=True)
    assert "no longer pending" in again.content.decode()

    client.logout()
    assert client.get(path, follow=True).status_code == 410
    assert not UserFactory._meta.model.objects.filter(email="new.hire@example.com").exists()


def _client_for(user):
    other = Client()
    other.force_login(user)
    return other


def test_only_owners_resend_or_revoke(manager, send_invitation):
    send_invitation()
    invitation = Invitation.objects.get()
    manager_client = _client_for(manager)

    assert manager_client.post(f"/team/invitations/{invitation.pk}/resend/").status_code == 404
    assert manager_client.post(f"/team/invitations/{invitation.pk}/revoke/").status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING
    assert Invitation.objects.count() == 1


def test_a_member_of_another_workspace_gets_404_on_its_invitations(outsider, send_invitation):
    send_invitation()
    invitation = Invitation.objects.get()
    outsider_client = _client_for(outsider)

    assert outsider_client.post(f"/team/invitations/{invitation.pk}/resend/").status_code == 404
    assert outsider_client.post(f"/team/invitations/{invitation.pk}/revoke/").status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING
    assert Notification.objects.count() == 1
    team = outsider_client.get("/team/").content.decode()
    assert "new.hire@example.com" not in team
    assert "olivia" not in team.lower()


def test_resend_and_revoke_need_a_post(owner_client, send_invitation):
    send_invitation()
    invitation = Invitation.objects.get()
    assert owner_client.get(f"/team/invitations/{invitation.pk}/revoke/").status_code == 405
    assert owner_client.get(f"/team/invitations/{invitation.pk}/resend/").status_code == 405


def test_the_team_page_lists_members_and_invitation_states(owner_client, manager, send_invitation):
    send_invitation()
    page = owner_client.get("/team/").content.decode()
    assert "manager@example.com" in page
    assert "new.hire@example.com" in page
    assert ">Pending</span>" in page
    assert "Teammates join as managers" in page
    assert Membership.objects.count() == 2


def test_the_owner_removes_a_teammate_who_then_loses_access(owner_client, workspace, manager):
    membership = Membership.objects.get(user=manager)
    manager_browser = _client_for(manager)
    assert manager_browser.get("/").status_code == 200

    response = owner_client.post(f"/team/members/{membership.pk}/remove/", follow=True)

    assert "Mia Manager no longer has access to Acme Studio." in response.content.decode()
    assert not Membership.objects.filter(user=manager).exists()
    assert manager_browser.get("/").status_code == 404
    assert manager_browser.get("/team/").status_code == 404


def test_the_owner_cannot_be_removed(owner_client, owner, workspace):
    membership = Membership.objects.get(user=owner)
    assert f"/team/members/{membership.pk}/remove/" not in owner_client.get("/team/").content.decode()

    response = owner_client.post(f"/team/members/{membership.pk}/remove/", follow=True)

    assert "The workspace owner cannot be removed." in response.content.decode()
    assert Membership.objects.filter(user=owner, workspace=workspace).exists()


def test_only_the_owner_of_that_workspace_removes_members(workspace, owner, manager, outsider):
    owner_membership = Membership.objects.get(user=owner)
    manager_membership = Membership.objects.get(user=manager)

    assert _client_for(manager).post(f"/team/members/{owner_membership.pk}/remove/").status_code == 404
    assert _client_for(outsider).post(f"/team/members/{manager_membership.pk}/remove/").status_code == 404
    assert Membership.objects.filter(workspace=workspace).count() == 2
