import datetime as dt

import pytest
import time_machine

from accounts import services
from accounts.models import Invitation, InvitationRole, InvitationStatus, Membership, Role, hash_token
from accounts.services import InvitationError
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _issue(workspace, owner, email="new@example.com"):
    return services.invitation_issue(workspace=workspace, email=email, role=InvitationRole.MANAGER,
                                     invited_by=owner)


def test_the_token_is_long_random_and_only_its_hash_is_stored(workspace, owner):
    issued = _issue(workspace, owner, email="  New@Example.COM ")

    assert len(issued.token) >= 43  # 32 random bytes, URL-safe base64
    row = Invitation.objects.get()
    assert row.email == "new@example.com"
    assert row.token_hash == hash_token(issued.token)
    assert issued.token not in str(list(Invitation.objects.values()))
    assert row.expires_at - row.created_at == dt.timedelta(days=7)
    assert _issue(workspace, owner, email="b@example.com").token != issued.token


def test_reissuing_revokes_the_pending_link(workspace, owner):
    first = _issue(workspace, owner)
    second = _issue(workspace, owner)

    with pytest.raises(InvitationError) as error:
        services.invitation_lookup(token=first.token)
    assert error.value.code == "revoked"
    assert services.invitation_lookup(token=second.token) == second.invitation


def test_it_is_accepted_once(workspace, owner):
    issued = _issue(workspace, owner)
    invitee = UserFactory(email="new@example.com")

    membership = services.invitation_accept(token=issued.token, user=invitee).joined

    assert (membership.workspace, membership.role) == (workspace, Role.MANAGER)
    issued.invitation.refresh_from_db()
    assert (issued.invitation.status, issued.invitation.accepted_by) == (InvitationStatus.ACCEPTED, invitee)
    with pytest.raises(InvitationError) as error:
        services.invitation_accept(token=issued.token, user=invitee)
    assert error.value.code == "accepted"


def test_it_is_bound_to_the_invited_email(workspace, owner):
    issued = _issue(workspace, owner)
    stranger = UserFactory(email="stranger@example.com")

    with pytest.raises(InvitationError) as error:
        services.invitation_accept(token=issued.token, user=stranger)

    assert error.value.code == "wrong_email"
    assert not Membership.objects.filter(user=stranger).exists()
    issued.invitation.refresh_from_db()
    assert issued.invitation.status == InvitationStatus.PENDING


def test_it_expires_and_the_housekeeping_sweep_marks_it(workspace, owner):
    issued = _issue(workspace, owner)
    invitee = UserFactory(email="new@example.com")

    with time_machine.travel(dt.timedelta(days=7, seconds=1)):
        with pytest.raises(InvitationError) as error:
            services.invitation_accept(token=issued.token, user=invitee)
        assert error.value.code == "expired"
        assert services.invitations_expire() == [issued.invitation.pk]
        assert services.invitations_expire() == []

    issued.invitation.refresh_from_db()
    assert issued.invitation.status == InvitationStatus.EXPIRED
    assert not Membership.objects.filter(user=invitee).exists()


def test_an_unknown_or_empty_token_is_invalid(db):
    for token in ["", "not-a-token"]:
        with pytest.raises(InvitationError) as error:
            services.invitation_lookup(token=token)
        assert error.value.code == "invalid"


def test_revoking_twice_reports_the_second_as_a_no_op(workspace, owner):
    issued = _issue(workspace, owner)
    assert services.invitation_revoke(invitation=issued.invitation) is True
    assert services.invitation_revoke(invitation=issued.invitation) is False
    assert issued.invitation.status == InvitationStatus.REVOKED
