"""Access grants: encrypted at rest, revealed only deliberately and logged, revoked at the end,
never shown anywhere else."""

import logging
import sys

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.http import Http404
from django.test import RequestFactory
from django.views.debug import ExceptionReporter

from accounts import crypto
from engagements.models import AccessGrant, AccessReveal, Activity
from engagements.services.access import (
    access_grant_create,
    access_grant_reveal,
    access_grant_revoke,
    access_grant_update,
)
from engagements.services.lifecycle import engagement_complete, engagement_pause
from engagements.services.transitions import ConflictError, NotAllowed
from engagements.views.access import access_grants

pytestmark = pytest.mark.django_db

SECRET = "correct-horse-Battery-staple-42!"


@pytest.fixture
def grant(active, owner):
    return access_grant_create(engagement=active, actor=owner, label="WordPress admin",
                               url="https://example.com/wp-admin", username="frida", secret=SECRET,
                               notes="Staging only")


def raw_token(grant):
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret_token FROM engagements_accessgrant WHERE id = %s", [grant.pk])
        return cursor.fetchone()[0]


def test_the_raw_column_holds_no_plaintext(grant):
    raw = raw_token(grant)
    assert SECRET not in raw
    assert raw.startswith("gAAAA")  # a Fernet token
    assert crypto.decrypt(raw) == SECRET


def test_rotation_re_encrypts_and_the_old_key_can_be_dropped(grant, settings):
    old_key = settings.FERNET_KEYS[0]
    before = raw_token(grant)
    new_key = Fernet.generate_key().decode()
    settings.FERNET_KEYS = [new_key, old_key]
    call_command("rotate_fernet_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
    after = raw_token(grant)
    assert after != before
    settings.FERNET_KEYS = [new_key]  # the old key is gone
    assert crypto.decrypt(after) == SECRET
    with pytest.raises(crypto.InvalidToken):
        crypto.decrypt(before)


def test_rotation_refuses_when_a_key_was_dropped_too_early(grant, settings):
    settings.FERNET_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CommandError, match="could not be decrypted"):
        call_command("rotate_fernet_keys")


def test_a_reveal_returns_the_secret_and_is_logged(grant, freelancer):
    secret = access_grant_reveal(grant_id=grant.pk, freelancer=freelancer, ip_address="203.0.113.9")
    assert secret == SECRET
    reveal = AccessReveal.objects.get()
    assert (reveal.grant, reveal.freelancer, reveal.ip_address) == (grant, freelancer, "203.0.113.9")
    line = Activity.objects.get(kind="grant_revealed")
    assert SECRET not in line.summary


def test_the_owner_sees_the_reveal_log_but_never_the_secret(owner_client, grant, freelancer):
    access_grant_reveal(grant_id=grant.pk, freelancer=freelancer)
    body = owner_client.get(f"/engagements/{grant.engagement_id}/access/").content.decode()
    assert "Reveal log" in body and "Frida Lance" in body and "revealed 1 time" in body
    assert SECRET not in body
    assert raw_token(grant) not in body
    detail = owner_client.get(f"/engagements/{grant.engagement_id}/").content.decode()
    timeline = owner_client.get(f"/engagements/{grant.engagement_id}/timeline/").content.decode()
    assert SECRET not in detail and SECRET not in timeline


def test_another_freelancer_cannot_reveal(grant, other_freelancer):
    with pytest.raises(NotAllowed):
        access_grant_reveal(grant_id=grant.pk, freelancer=other_freelancer)
    assert not AccessReveal.objects.exists()


def test_nothing_is_revealed_unless_the_engagement_is_active(grant, owner, freelancer):
    engagement_pause(engagement=grant.engagement, actor=owner)
    with pytest.raises(ConflictError, match="only while the engagement is active"):
        access_grant_reveal(grant_id=grant.pk, freelancer=freelancer)
    assert not AccessReveal.objects.exists()


def test_a_revoked_grant_cannot_be_revealed(grant, owner, freelancer):
    access_grant_revoke(grant=grant, actor=owner)
    with pytest.raises(ConflictError, match="revoked"):
        access_grant_reveal(grant_id=grant.pk, freelancer=freelancer)


def test_completion_revokes_and_the_owner_ticks_off_the_rotation(grant, owner, owner_client):
    engagement_complete(engagement=grant.engagement, actor=owner)
    grant.refresh_from_db()
    assert grant.revoked_at and grant.needs_rotation
    listing = owner_client.get("/engagements/").content.decode()
    assert "Rotate these secrets" in listing and "WordPress admin" in listing
    response = owner_client.post(f"/engagements/{grant.engagement_id}/access/{grant.pk}/rotated/", {"back": "list"})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.rotated_at and grant.rotated_by == owner and not grant.needs_rotation
    assert "Rotate these secrets" not in owner_client.get("/engagements/").content.decode()


def test_replacing_the_secret_re_encrypts_it(grant, owner, freelancer):
    access_grant_update(grant=grant, actor=owner, label=grant.label, secret="new-secret-value")
    assert access_grant_reveal(grant_id=grant.pk, freelancer=freelancer) == "new-secret-value"
    access_grant_update(grant=grant, actor=owner, label="Renamed", secret="")
    assert access_grant_reveal(grant_id=grant.pk, freelancer=freelancer) == "new-secret-value"


def test_the_secret_is_not_in_the_admin(grant, admin_client):
    changelist = admin_client.get("/admin/engagements/accessgrant/").content.decode()
    change = admin_client.get(f"/admin/engagements/accessgrant/{grant.pk}/change/").content.decode()
    for page in (changelist, change):
        assert SECRET not in page
        assert raw_token(grant) not in page


def test_the_share_form_never_echoes_the_secret(owner_client, active):
    response = owner_client.post(f"/engagements/{active.pk}/access/", {"label": "", "secret": SECRET})
    assert response.status_code == 200  # the form, with its error
    assert SECRET not in response.content.decode()


def test_the_secret_is_hidden_on_error_pages(active, owner):
    """An error inside the share view: Django's error report (DEBUG page, admin email) masks the
    posted secret."""
    request = RequestFactory().post(f"/engagements/{active.pk}/access/", {"label": "x", "secret": SECRET})
    request.user = owner
    request.workspace = None  # makes the view fail before doing anything
    with pytest.raises(Http404):
        try:
            access_grants(request, pk=active.pk)
        except Http404:
            text = ExceptionReporter(request, *sys.exc_info()).get_traceback_text()
            raise
    assert "secret" in text and SECRET not in text


def test_the_secret_is_hidden_in_a_traceback_from_the_service(active, owner, monkeypatch):
    def broken(plaintext):
        raise RuntimeError("encryption backend down")

    monkeypatch.setattr(crypto, "encrypt", broken)
    try:
        access_grant_create(engagement=active, actor=owner, label="x", secret=SECRET)
    except RuntimeError:
        reporter = ExceptionReporter(RequestFactory().get("/"), *sys.exc_info())
        assert SECRET not in reporter.get_traceback_text()
    else:
        pytest.fail("expected the error")


def test_the_secret_never_reaches_the_logs(active, owner, freelancer, caplog):
    caplog.set_level(logging.DEBUG)
    grant = access_grant_create(engagement=active, actor=owner, label="FTP", secret=SECRET)
    access_grant_reveal(grant_id=grant.pk, freelancer=freelancer)
    assert SECRET not in caplog.text
    assert SECRET not in repr(grant) and SECRET not in str(grant)


def test_access_cannot_be_shared_on_a_finished_engagement(active, owner):
    engagement_complete(engagement=active, actor=owner)
    with pytest.raises(ConflictError):
        access_grant_create(engagement=active, actor=owner, label="x", secret="y")
    assert AccessGrant.objects.count() == 0
