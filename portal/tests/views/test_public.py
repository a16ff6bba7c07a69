"""A freelancer's portal invitation, from the emailed link to a working login: accepted once;
reuse, expiry, revocation, a resent link (the old one dies) and another email all refused with
nothing changed; the token never stays in the address bar; a lost link asked for again."""

import re
from datetime import timedelta
from urllib.parse import urlparse

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.models import Invitation, InvitationStatus, User
from accounts.tests.factories import PASSWORD, UserFactory, WorkspaceFactory
from freelancers.models import Freelancer
from notifications.models import Notification

from ..conftest import open_link, start_engagement_offered

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "amber-lantern-river-42"


def _state():
    return (
        list(Invitation.objects.order_by("pk").values_list("status", flat=True)),
        list(Freelancer.objects.order_by("pk").values_list("user_id", flat=True)),
        User.objects.count(),
    )


def _accept_as_newcomer(client, **overrides):
    data = {"full_name": "Nora Newcomer", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD,
            "timezone": "America/Toronto", **overrides}
    return client.post("/portal/invite/", data, follow=True)


def test_a_newcomer_sets_a_password_and_lands_in_the_portal_once(invite, nora, owner, workspace, mailoutbox):
    path = invite()
    invitee = Client()
    page = open_link(invitee, path)
    body = page.content.decode()
    assert "Work with Acme Studio" in body
    assert "nora@example.net" in body
    assert 'value="America/Toronto" selected' in body or "America/Toronto" in body

    response = _accept_as_newcomer(invitee)

    assert response.redirect_chain[-1][0] == "/portal/"
    assert "Welcome to Acme Studio&#x27;s freelancer portal." in response.content.decode()
    user = User.objects.get(email="nora@example.net")
    nora.refresh_from_db()
    assert nora.user == user
    invitation = Invitation.objects.get()
    assert (invitation.status, invitation.accepted_by) == (InvitationStatus.ACCEPTED, user)
    # The inviter hears about it.
    joined = Notification.objects.get(kind="portal_joined")
    assert joined.recipient_email == owner.email
    # The password works on the ordinary login page, which sends a freelancer to the portal.
    fresh = Client()
    login = fresh.post("/accounts/login/", {"username": "nora@example.net", "password": NEW_PASSWORD}, follow=True)
    assert login.redirect_chain[-1][0] == "/portal/"

    # Reuse: refused, nothing changes.
    before = _state()
    again = open_link(Client(), path)
    assert again.status_code == 410
    assert "This invitation has already been used." in again.content.decode()
    assert _state() == before


def test_a_freelancer_opening_their_link_again_after_accepting_is_taken_in(invite, nora):
    """As a teammate is: the signed-in invitee clicking the email again lands in the portal,
    not on a 410 page (the two acceptance flows are one)."""
    path = invite()
    invitee = Client()
    open_link(invitee, path)
    _accept_as_newcomer(invitee)
    before = _state()

    again = invitee.get(path, follow=True)

    assert again.redirect_chain[-1][0] == "/portal/"
    assert again.status_code == 200
    assert "You already use Acme Studio&#x27;s freelancer portal." in again.content.decode()
    assert _state() == before


def test_the_open_link_redirect_carries_no_token(invite):
    path = invite()
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"] == "/portal/invite/"
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_an_expired_link_is_refused(invite, nora):
    path = invite()
    with time_machine.travel(timezone.now() + settings.INVITATION_TTL + timedelta(minutes=1)):
        client = Client()
        response = open_link(client, path)
        assert response.status_code == 410
        assert "This invitation has expired." in response.content.decode()
        before = _state()
        assert _accept_as_newcomer(client).status_code == 410
        assert _state() == before
    nora.refresh_from_db()
    assert nora.user is None


def test_a_revoked_link_is_refused(invite, owner_client, nora):
    path = invite()
    invitation = Invitation.objects.get()
    response = owner_client.post(f"/portal/owner/invitations/{invitation.pk}/revoke/", follow=True)
    assert "was revoked" in response.content.decode()

    page = open_link(Client(), path)
    assert page.status_code == 410
    assert "This invitation was withdrawn." in page.content.decode()
    assert not User.objects.filter(email="nora@example.net").exists()


def test_a_resent_invitation_kills_the_old_link(invite, owner_client, nora):
    old = invite()
    first = Invitation.objects.get()
    fresh_path = invite(client=owner_client)
    assert fresh_path != old
    first.refresh_from_db()
    assert first.status == InvitationStatus.REVOKED

    assert open_link(Client(), old).status_code == 410
    client = Client()
    assert open_link(client, fresh_path).status_code == 200
    _accept_as_newcomer(client)
    nora.refresh_from_db()
    assert nora.user is not None


def test_someone_signed_in_with_another_email_cannot_accept(invite, nora, outsider):
    path = invite()
    client = Client()
    client.force_login(outsider)
    before = _state()
    response = open_link(client, path)
    assert response.status_code == 403
    assert "different email address" in response.content.decode()
    assert client.post("/portal/invite/").status_code == 403
    assert _state() == before


def test_a_link_for_an_address_the_freelancer_no_longer_has_is_dead(invite, nora):
    path = invite()
    Freelancer.objects.filter(pk=nora.pk).update(email="nora.new@example.net")
    response = open_link(Client(), path)
    assert response.status_code == 400
    assert not User.objects.filter(email="nora@example.net").exists()


def test_an_existing_login_signs_in_then_accepts_and_can_switch_workspaces(invite, nora, owner):
    # Nora already freelances for another workspace, with a login of her own.
    user = UserFactory(email="nora@example.net", full_name="Nora N.")
    other = Freelancer.objects.create(workspace=WorkspaceFactory(name="Zeta Works"), name="Nora N.",
                                      email="nora@example.net", user=user)
    path = invite()
    client = Client()
    response = client.get(path, follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/?next=/portal/invite/"
    assert User.objects.filter(email="nora@example.net").count() == 1

    login = client.post("/accounts/login/?next=/portal/invite/",
                        {"username": "nora@example.net", "password": PASSWORD}, follow=True)
    assert login.redirect_chain[-1][0] == "/portal/invite/"
    assert "Accept the invitation" in login.content.decode()
    accepted = client.post("/portal/invite/", follow=True)
    assert accepted.redirect_chain[-1][0] == "/portal/"
    nora.refresh_from_db()
    assert nora.user == user
    # She lands in Acme Studio's portal and can switch to Zeta Works'.
    assert "Your work for <strong>Acme Studio</strong>" in accepted.content.decode()
    switched = client.post("/portal/switch/", {"freelancer": other.pk}, follow=True)
    assert "Your work for <strong>Zeta Works</strong>" in switched.content.decode()
    # Someone else's profile is not a choice.
    assert client.post("/portal/switch/", {"freelancer": Freelancer.objects.create(
        workspace=nora.workspace, name="X", email="x@example.net").pk}).status_code == 404


def test_a_weak_or_mistyped_password_creates_nothing(invite, nora):
    path = invite()
    client = Client()
    open_link(client, path)
    weak = _accept_as_newcomer(client, password="123", password_again="123")
    assert "too short" in weak.content.decode()
    typo = _accept_as_newcomer(client, password_again=NEW_PASSWORD + "x")
    assert "The two passwords differ." in typo.content.decode()
    assert not User.objects.filter(email="nora@example.net").exists()
    assert Invitation.objects.get().status == InvitationStatus.PENDING


def test_the_offer_email_lets_a_newcomer_in_and_to_the_brief(
        owner, workspace, nora, celery_eager, mailoutbox, django_capture_on_commit_callbacks):
    """A freelancer without a login is offered work: the one email carries the brief's goal and
    their portal invitation, whose link leads to choosing a password and then to the brief."""
    with django_capture_on_commit_callbacks(execute=True):
        engagement = start_engagement_offered(workspace, owner, nora)
    [offer] = [m for m in mailoutbox if m.to == ["nora@example.net"]]
    assert "brief" in offer.subject.lower()
    [url] = re.findall(r"https?://\S+/portal/invite/\S+/", offer.body)
    client = Client()
    assert open_link(client, urlparse(url).path).status_code == 200
    _accept_as_newcomer(client)
    brief = client.get(f"/portal/engagements/{engagement.pk}/brief/")
    assert brief.status_code == 200
    assert "Please read and acknowledge brief v1" in brief.content.decode()


def test_asking_for_a_link_tells_nothing_and_sends_only_where_it_should(
        client, workspace, nora, freelancer_a, celery_eager, mailoutbox, django_capture_on_commit_callbacks):
    pages = []
    for email in ("nobody@example.net", "nora@example.net", freelancer_a.email):
        with django_capture_on_commit_callbacks(execute=True):
            body = client.post("/portal/sign-in/", {"email": email}).content.decode()
            pages.append(body[body.index("<main"):body.index("</main>")].replace(email, "EMAIL"))
    # Same answer for an unknown address, a freelancer never invited nor offered work, and one
    # who already has a login; and nothing was sent to any of them.
    assert pages[0] == pages[1] == pages[2]
    assert mailoutbox == []
    assert not Invitation.objects.exists()


def test_a_second_request_within_minutes_sends_no_second_link(
        client, owner, workspace, nora, celery_eager, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        start_engagement_offered(workspace, owner, nora)  # its email carries the first link
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/portal/sign-in/", {"email": "nora@example.net"})
    assert len([m for m in mailoutbox if "/portal/invite/" in m.body]) == 1
    assert Invitation.objects.filter(status=InvitationStatus.PENDING).count() == 1
