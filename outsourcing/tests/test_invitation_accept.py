"""Accepting a teammate invitation from the emailed link."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from accounts.models import Invitation, InvitationStatus, Membership, Role, User
from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "quiet-harbour-lamp-77"


def _open(client, path):
    """Follow the emailed link the way a browser does."""
    response = client.get(path, follow=True)
    # The token leaves the address bar before anything renders.
    assert [url for url, _ in response.redirect_chain] == ["/invite/"]
    assert path.split("/")[2] not in response.content.decode()
    return response


def _state():
    return (
        list(Membership.objects.order_by("pk").values_list("user__email", "workspace__name", "role")),
        list(Invitation.objects.order_by("pk").values_list("status", flat=True)),
        User.objects.count(),
    )


def test_a_new_user_sets_a_password_and_joins_once(workspace, send_invitation):
    path = send_invitation()
    invitee = Client()

    page = _open(invitee, path)
    body = page.content.decode()
    assert "Join Acme Studio" in body
    assert "new.hire@example.com" in body
    assert 'for="id_password"' in body

    response = invitee.post("/invite/", {"full_name": "Nina New", "password": NEW_PASSWORD,
                                         "timezone": "Europe/Berlin"}, follow=True)

    assert response.redirect_chain[-1][0] == "/"
    assert "You joined Acme Studio." in response.content.decode()
    user = User.objects.get(email="new.hire@example.com")
    assert (user.full_name, user.timezone) == ("Nina New", "Europe/Berlin")
    assert Membership.objects.get(user=user).role == Role.MANAGER
    invitation = Invitation.objects.get()
    assert (invitation.status, invitation.accepted_by) == (InvitationStatus.ACCEPTED, user)

    # The password they chose works.
    fresh = Client()
    assert fresh.post("/accounts/login/", {"username": user.email, "password": NEW_PASSWORD}).status_code == 302

    # Second use of the link: refused, nothing changes.
    before = _state()
    again = _open(Client(), path)
    assert again.status_code == 410
    assert "This invitation has already been used." in again.content.decode()
    assert _state() == before

    # The invitee clicking the email again, still signed in, is simply taken in.
    response = invitee.get(path, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "You are already a member of Acme Studio." in response.content.decode()
    assert _state() == before


def test_a_weak_password_is_refused_and_creates_nothing(workspace, send_invitation):
    path = send_invitation()
    invitee = Client()
    _open(invitee, path)

    response = invitee.post("/invite/", {"full_name": "Nina", "password": "123", "timezone": "UTC"})

    assert response.status_code == 200
    assert "too short" in response.content.decode()
    assert not User.objects.filter(email="new.hire@example.com").exists()
    assert Invitation.objects.get().status == InvitationStatus.PENDING


def test_an_existing_user_logs_in_then_accepts(workspace, outsider, send_invitation):
    path = send_invitation("OUTSIDER@example.com")
    invitee = Client()

    opened = invitee.get(path)
    assert opened["Location"] == "/invite/"
    response = invitee.get("/invite/", follow=True)
    assert response.redirect_chain == [("/accounts/login/?next=/invite/", 302)]
    assert "Log in as outsider@example.com to accept the invitation." in response.content.decode()

    login = invitee.post("/accounts/login/?next=/invite/",
                         {"username": "outsider@example.com", "password": PASSWORD, "next": "/invite/"})
    assert login["Location"] == "/invite/"
    confirm = invitee.get("/invite/")
    assert "Accept invitation" in confirm.content.decode()
    assert 'name="password"' not in confirm.content.decode()

    joined = invitee.post("/invite/", follow=True)

    assert "You joined Acme Studio." in joined.content.decode()
    assert Membership.objects.get(user=outsider, workspace=workspace).role == Role.MANAGER
    # They land in the workspace they joined, and can still switch back to their own.
    assert '<h1 class="h2 mb-0">Acme Studio</h1>' in invitee.get("/").content.decode()
    assert "Other Co" in invitee.get("/").content.decode()


def test_an_expired_link_is_refused(workspace, send_invitation):
    path = send_invitation()
    before = _state()

    with time_machine.travel(dt.timedelta(days=7, minutes=1)):
        invitee = Client()
        page = _open(invitee, path)
        assert page.status_code == 410
        assert "This invitation has expired. Ask for a new one." in page.content.decode()
        posted = invitee.post("/invite/", {"full_name": "Late", "password": NEW_PASSWORD, "timezone": "UTC"})
        assert posted.status_code == 410

    assert _state() == before


def test_a_revoked_link_is_refused(owner_client, workspace, send_invitation):
    path = send_invitation()
    owner_client.post(f"/team/invitations/{Invitation.objects.get().pk}/revoke/")
    before = _state()

    invitee = Client()
    page = _open(invitee, path)
    posted = invitee.post("/invite/", {"full_name": "Nina", "password": NEW_PASSWORD, "timezone": "UTC"})

    assert page.status_code == posted.status_code == 410
    assert "This invitation was withdrawn. Ask for a new one." in page.content.decode()
    assert _state() == before


def test_someone_signed_in_with_another_email_is_refused(workspace, send_invitation):
    path = send_invitation()
    stranger = UserFactory(email="stranger@example.com")
    browser = Client()
    browser.force_login(stranger)
    before = _state()

    page = _open(browser, path)
    posted = browser.post("/invite/")

    assert page.status_code == posted.status_code == 403
    body = page.content.decode()
    assert "This invitation was sent to a different email address" in body
    assert "You are signed in as <strong>stranger@example.com</strong>" in body
    assert _state() == before
    assert Invitation.objects.get().status == InvitationStatus.PENDING


def test_a_made_up_token_is_refused(db):
    page = _open(Client(), "/invite/not-a-real-token-but-long-enough-to-look-like-one/")
    assert page.status_code == 400
    assert "This invitation link is not valid." in page.content.decode()


def test_opening_the_accept_page_without_a_link_is_refused(db):
    page = Client().get("/invite/")
    assert page.status_code == 400
    assert "not valid" in page.content.decode()


def test_the_invitation_pages_are_not_cached(workspace, send_invitation):
    path = send_invitation()
    invitee = Client()
    assert "no-store" in invitee.get(path)["Cache-Control"]
    assert "no-store" in invitee.get("/invite/")["Cache-Control"]


def test_an_account_created_meanwhile_is_asked_to_log_in(workspace, send_invitation):
    path = send_invitation()
    invitee = Client()
    _open(invitee, path)
    UserFactory(email="new.hire@example.com")  # made in another tab

    response = invitee.post("/invite/", {"full_name": "Nina", "password": NEW_PASSWORD, "timezone": "UTC"})

    assert response["Location"] == "/accounts/login/?next=/invite/"
    assert User.objects.filter(email="new.hire@example.com").count() == 1
    assert Invitation.objects.get().status == InvitationStatus.PENDING
