"""Secrets and tokens never reach the logs (issue 15): a journey through every flow that handles
one — an API token asked for, used, misused and revoked; a portal invitation emailed, opened
twice and accepted; a password reset; an access grant's secret stored and revealed; failed
sign-ins — with every log record captured at DEBUG, then searched for each secret it used."""

import logging
import re
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD
from engagements.services import access as grants

from .conftest import client_for, open_link, start_engagement

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "lantern-orchard-1987-q"
GRANT_SECRET = "grant-secret-Qx7-never-logged"


def _api_journey(owner, secrets):
    api = APIClient()
    response = api.post("/api/v1/auth/token/", {"email": owner.email, "password": PASSWORD}, format="json")
    token = response.json()["token"]
    secrets.append(token)
    api.post("/api/v1/auth/token/", {"email": owner.email, "password": "wrong-" + PASSWORD}, format="json")
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/me/").status_code == 200
    assert api.get("/api/v1/engagements/987654321/").status_code == 404
    assert api.delete("/api/v1/auth/token/").status_code == 204
    assert api.get("/api/v1/me/").status_code == 401  # the revoked token, used again


def _reset_journey(owner, mailoutbox, capture, secrets):
    with capture(execute=True):
        Client().post("/password-reset/", {"email": owner.email})
    [link] = re.findall(r"https?://\S+/password-reset/\S+/", mailoutbox[-1].body)
    path = urlparse(link).path
    secrets.append(path.rstrip("/").rsplit("/", 1)[-1])
    client = Client()
    form = client.get(path, follow=True)
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    secrets.append(NEW_PASSWORD)
    Client().get(path, follow=True)  # the used link, opened again


def _invitation_journey(invite, secrets):
    path = invite()
    secrets.append(path.rstrip("/").rsplit("/", 1)[-1])
    invitee = Client()
    open_link(invitee, path)
    invitee.post("/portal/invite/", {"full_name": "Nora Newcomer", "password": NEW_PASSWORD,
                                     "password_again": NEW_PASSWORD, "timezone": "America/Toronto"})
    open_link(Client(), path)  # reused: refused


def _grant_journey(workspace, owner, freelancer_a, secrets):
    engagement = start_engagement(workspace, owner, freelancer_a, title="Site", milestones=["One"])
    grant = grants.access_grant_create(engagement=engagement, actor=owner, label="CMS", url="https://cms.example.com",
                                       username="ana", secret=GRANT_SECRET)
    secrets.append(GRANT_SECRET)
    response = client_for(freelancer_a.user).post(f"/portal/engagements/{engagement.pk}/access/{grant.pk}/reveal/")
    assert GRANT_SECRET in response.content.decode()  # shown to them, and only there


def test_no_secret_or_token_used_in_the_journey_is_ever_logged(
        caplog, owner, workspace, freelancer_a, invite, mailoutbox, django_capture_on_commit_callbacks):
    caplog.set_level(logging.DEBUG)
    secrets = [PASSWORD, settings.SECRET_KEY, *settings.FERNET_KEYS]
    Client().post("/accounts/login/", {"username": owner.email, "password": "wrong-" + PASSWORD})
    _api_journey(owner, secrets)
    _invitation_journey(invite, secrets)
    _grant_journey(workspace, owner, freelancer_a, secrets)
    _reset_journey(owner, mailoutbox, django_capture_on_commit_callbacks, secrets)

    logged = "\n".join([caplog.text] + [f"{r.getMessage()} {r.args!r} {r.exc_text or ''} {vars(r)!r}"
                                        for r in caplog.records])
    assert len(caplog.records) > 10  # the journey did log (requests, axes, emails)
    leaked = [s[:6] + "…" for s in secrets if s and s in logged]
    assert leaked == []
    assert ("wrong-" + PASSWORD) not in logged
