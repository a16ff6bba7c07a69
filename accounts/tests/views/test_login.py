import datetime as dt

import pytest
import time_machine
from django.conf import settings

from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _login(client, email, password=PASSWORD, ip="127.0.0.1"):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip)


def _is_logged_in(client):
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("typed", ["owner@example.com", "OWNER@Example.com", "  Owner@EXAMPLE.com "])
def test_it_logs_in_with_the_email_in_any_case(client, owner, workspace, typed):
    response = _login(client, typed)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert _is_logged_in(client)
    assert "Acme Studio" in client.get("/").content.decode()


def test_it_refuses_a_wrong_password_with_a_message(client, owner):
    response = _login(client, owner.email, "not-the-password")

    assert response.status_code == 200
    assert "That email and password do not match an account." in response.content.decode()
    assert not _is_logged_in(client)


def test_it_follows_next_after_login(client, owner, workspace):
    response = client.post(f"{LOGIN}?next=/team/", {"username": owner.email, "password": PASSWORD,
                                                    "next": "/team/"})
    assert response["Location"] == "/team/"


def test_it_sends_anonymous_visitors_to_login(client):
    response = client.get("/team/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN}?next=/team/")


def test_logout_needs_a_post_and_ends_the_session(owner_client):
    assert owner_client.get("/accounts/logout/").status_code == 405
    response = owner_client.post("/accounts/logout/")
    assert response["Location"] == LOGIN
    assert not _is_logged_in(owner_client)


def test_it_locks_the_account_from_that_ip_after_repeated_failures_and_cools_off(client, owner, workspace):
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            assert _login(client, owner.email, "guess").status_code == 200
        # The failure that reaches the limit already answers with the lock-out page.
        assert _login(client, owner.email, "guess").status_code == 429

        # Even the right password is refused now, whatever the email's case.
        locked = _login(client, owner.email.upper())
        assert locked.status_code == 429
        assert "Too many failed log-ins" in locked.content.decode()
        assert "Try again in 15 minutes" in locked.content.decode()
        assert not _is_logged_in(client)

        # Still locked just before the cool-off ends (a try while locked out counts as a
        # failure: the cool-off runs from the latest one)…
        traveller.shift(settings.AXES_COOLOFF_TIME - dt.timedelta(seconds=30))
        assert _login(client, owner.email).status_code == 429

        # …and open again once a full cool-off has passed.
        traveller.shift(settings.AXES_COOLOFF_TIME + dt.timedelta(seconds=1))
        response = _login(client, owner.email)
        assert response.status_code == 302
        assert _is_logged_in(client)


def test_the_lockout_is_per_username_and_ip(client, owner, workspace, manager):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, owner.email, "guess", ip="10.0.0.66")
    assert _login(client, owner.email, ip="10.0.0.66").status_code == 429

    # Another account from the same address, and the same account from elsewhere, still work.
    assert _login(client, manager.email, ip="10.0.0.66").status_code == 302
    client.logout()
    assert _login(client, owner.email, ip="10.0.0.7").status_code == 302


def test_a_successful_login_resets_the_failure_count(client, owner, workspace):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, owner.email, "guess")
    assert _login(client, owner.email).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, owner.email, "guess")
    assert _login(client, owner.email).status_code == 302


def test_an_inactive_user_cannot_log_in(client, owner):
    owner.is_active = False
    owner.save()
    assert _login(client, owner.email).status_code == 200
    assert not _is_logged_in(client)


# --- Forged X-Forwarded-For (issue 15) ---------------------------------------------------------
def _forged(client, email, n, password="guess"):
    # Every try claims to come from somewhere new, through a proxy that is not there.
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR="10.0.0.66",
                       HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")


def test_a_forged_forwarded_for_does_not_buy_more_guesses(client, owner, workspace):
    for n in range(settings.AXES_FAILURE_LIMIT):
        _forged(client, owner.email, n)
    assert _forged(client, owner.email, 99, password=PASSWORD).status_code == 429


def test_a_forged_forwarded_for_cannot_lock_out_the_victims_own_address(client, owner, workspace):
    # The attacker names the victim's address in the header: only the attacker's own is locked.
    for _ in range(settings.AXES_FAILURE_LIMIT + 3):
        client.post(LOGIN, {"username": owner.email, "password": "guess"}, REMOTE_ADDR="10.0.0.66",
                    HTTP_X_FORWARDED_FOR="10.0.0.7")
    assert _login(client, owner.email, ip="10.0.0.7").status_code == 302


def test_behind_one_proxy_the_address_it_saw_counts_not_what_the_client_claims(client, owner, workspace,
                                                                               settings):
    settings.PROXY_COUNT = 1
    proxy = "10.0.0.1"
    for n in range(settings.AXES_FAILURE_LIMIT):
        # The client forges a first entry; the proxy appends the address it really saw.
        client.post(LOGIN, {"username": owner.email, "password": "guess"}, REMOTE_ADDR=proxy,
                    HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.9")
    locked = client.post(LOGIN, {"username": owner.email, "password": PASSWORD}, REMOTE_ADDR=proxy,
                         HTTP_X_FORWARDED_FOR="203.0.113.200, 198.51.100.9")
    assert locked.status_code == 429
    # Another client behind the same proxy is not locked out with them.
    other = client.post(LOGIN, {"username": owner.email, "password": PASSWORD}, REMOTE_ADDR=proxy,
                        HTTP_X_FORWARDED_FOR="198.51.100.10")
    assert other.status_code == 302
