"""Sessions (issue 15): a new session key at login, the session ended at logout, when the account
is deactivated, when the password changes (on every other device) and after an idle spell."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "lantern-orchard-1987-q"


def _signed_in(client):
    return client.get("/accounts/profile/").status_code == 200


def _sign_in(client, user, password=PASSWORD):
    response = client.post("/accounts/login/", {"username": user.email, "password": password})
    assert response.status_code == 302, response.content[:300]
    return client


def test_signing_in_gives_a_new_session_key(client, owner, workspace):
    client.get("/accounts/login/")
    session = client.session
    session["planted"] = "by someone who knew this key"
    session.save()
    planted_key = client.cookies[settings.SESSION_COOKIE_NAME].value

    _sign_in(client, owner)

    assert client.cookies[settings.SESSION_COOKIE_NAME].value != planted_key
    # The fixated key is not a way in: whoever holds it is still anonymous.
    fixated = Client()
    fixated.cookies[settings.SESSION_COOKIE_NAME] = planted_key
    assert not _signed_in(fixated)


def test_logging_out_ends_the_session_for_whoever_kept_its_cookie(client, owner, workspace):
    _sign_in(client, owner)
    stolen = Client()
    stolen.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert _signed_in(stolen)

    client.post("/accounts/logout/")

    assert not _signed_in(client)
    assert not _signed_in(stolen)


def test_deactivating_an_account_ends_its_sessions(owner, workspace):
    laptop, phone = _sign_in(Client(), owner), _sign_in(Client(), owner)
    owner.is_active = False
    owner.save()
    assert not _signed_in(laptop)
    assert not _signed_in(phone)


def test_changing_the_password_ends_every_other_session(owner, workspace):
    here, elsewhere = _sign_in(Client(), owner), _sign_in(Client(), owner)
    response = here.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": NEW_PASSWORD,
                                                 "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert _signed_in(here)
    assert not _signed_in(elsewhere)


def test_a_password_reset_ends_every_session(client, owner, workspace):
    signed_in = _sign_in(Client(), owner)
    owner.refresh_from_db()  # the reset token is made from the last login
    uid, token = urlsafe_base64_encode(force_bytes(owner.pk)), default_token_generator.make_token(owner)
    form = client.get(f"/password-reset/{uid}/{token}/", follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert not _signed_in(signed_in)


@pytest.fixture
def idle_timeout(settings):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    return settings.SESSION_IDLE_TIMEOUT


def test_an_idle_session_ends_and_a_busy_one_does_not(owner, workspace, idle_timeout):
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        busy, idle = _sign_in(Client(), owner), _sign_in(Client(), owner)
        assert _signed_in(busy) and _signed_in(idle)
        # The busy one clicks every 20 minutes for two hours; the idle one is away.
        for _ in range(6):
            traveller.shift(dt.timedelta(minutes=20))
            assert _signed_in(busy)
        assert not _signed_in(idle)
        response = idle.get("/team/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_idle_clock_starts_at_sign_in(owner, workspace, idle_timeout):
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        client = _sign_in(Client(), owner)  # and not a single page opened after
        traveller.shift(dt.timedelta(seconds=idle_timeout + 1))
        assert not _signed_in(client)
