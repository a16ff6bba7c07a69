import io

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.settings import api_settings

from accounts.models import Membership, Role
from accounts.tests.factories import PASSWORD, UserFactory, WorkspaceFactory
from api.models import ApiToken
from api.tests.conftest import client_with
from freelancers.models import Freelancer

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"


def get_token(client, email, password=PASSWORD, workspace=None, **request_extra):
    body = {"email": email, "password": password}
    if workspace is not None:
        body["workspace"] = workspace
    return client.post(TOKEN_URL, body, format="json", **request_extra)


def test_it_issues_an_owner_token_bound_to_the_workspace(api_client, owner, workspace):
    response = get_token(api_client, "owner@example.com")

    assert response.status_code == 200
    body = response.json()
    assert body["role"] == "owner"
    assert body["workspace"] == workspace.slug
    assert body["freelancer"] is None
    token = ApiToken.objects.get(user=owner)
    assert token.workspace == workspace
    # Only the hash is stored.
    assert body["token"] not in {token.key_hash, token.prefix}
    assert client_with(body["token"]).get(ME_URL).json()["role"] == "owner"


def test_it_accepts_the_email_in_any_case(api_client, owner, workspace):
    assert get_token(api_client, "Owner@Example.COM").status_code == 200


def test_it_issues_a_manager_token(api_client, manager, workspace):
    response = get_token(api_client, "manager@example.com")

    assert response.status_code == 200
    assert response.json()["role"] == "manager"


def test_it_issues_a_freelancer_token_for_a_linked_freelancer(api_client, freelancer, workspace):
    response = get_token(api_client, "fred@example.com")

    assert response.status_code == 200
    assert response.json() | {"token": None, "expires_at": None} == {
        "token": None, "role": "freelancer", "workspace": workspace.slug, "freelancer": freelancer.pk,
        "expires_at": None,
    }


def test_it_makes_a_user_of_several_workspaces_choose(api_client, owner, workspace):
    other = WorkspaceFactory(slug="second-shop")
    Membership.objects.create(user=owner, workspace=other, role=Role.MANAGER)

    response = get_token(api_client, "owner@example.com")

    assert response.status_code == 400
    message = response.json()["workspace"][0]
    assert workspace.slug in message and "second-shop" in message
    assert not ApiToken.objects.exists()

    chosen = get_token(api_client, "owner@example.com", workspace="second-shop")
    assert chosen.status_code == 200
    assert chosen.json()["role"] == "manager"
    assert chosen.json()["workspace"] == "second-shop"


def test_it_counts_a_freelancer_profile_elsewhere_as_a_choice(api_client, owner, workspace):
    elsewhere = WorkspaceFactory(slug="client-co")
    Freelancer.objects.create(workspace=elsewhere, name="Olivia", email="owner@example.com", user=owner)

    assert get_token(api_client, "owner@example.com").status_code == 400
    response = get_token(api_client, "owner@example.com", workspace="client-co")
    assert response.status_code == 200
    assert response.json()["role"] == "freelancer"


def test_it_refuses_a_workspace_that_is_not_theirs(api_client, owner, workspace, outsider):
    other = WorkspaceFactory(slug="not-yours")

    response = get_token(api_client, "owner@example.com", workspace=other.slug)

    assert response.status_code == 400
    assert "workspace" in response.json()


def test_it_refuses_a_user_without_any_workspace(api_client, db):
    UserFactory(email="loner@example.com")

    response = get_token(api_client, "loner@example.com")

    assert response.status_code == 400
    assert response.json()[api_settings.NON_FIELD_ERRORS_KEY]


@pytest.mark.parametrize("email,password", [
    ("owner@example.com", "wrong-password-123"),
    ("nobody@example.com", PASSWORD),
])
def test_it_refuses_wrong_credentials_with_400(api_client, owner, workspace, email, password):
    response = get_token(api_client, email, password)

    assert response.status_code == 400
    assert response.json() == {
        api_settings.NON_FIELD_ERRORS_KEY: ["Unable to log in with the given email and password."]
    }
    assert not ApiToken.objects.exists()


def test_it_refuses_an_inactive_user(api_client, owner, workspace):
    owner.is_active = False
    owner.save()

    assert get_token(api_client, "owner@example.com").status_code == 400


def test_it_gives_field_errors_for_malformed_input(api_client, db):
    response = api_client.post(TOKEN_URL, {"email": "not-an-email"}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"email", "password"}


def test_it_locks_the_account_out_after_repeated_failures_like_the_login_page(api_client, owner, workspace):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert get_token(api_client, "owner@example.com", "wrong-password-123").status_code == 400

    locked = get_token(api_client, "owner@example.com", "wrong-password-123")
    assert locked.status_code == 429
    assert locked["Content-Type"] == "application/json"
    assert "try again later" in locked.json()["detail"]
    assert int(locked["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()

    # Even the right password is refused while locked out ...
    assert get_token(api_client, "owner@example.com").status_code == 429
    # ... but only for this account from this address.
    assert get_token(api_client, "owner@example.com", REMOTE_ADDR="10.9.8.7").status_code == 200


def test_the_lock_out_cools_off(api_client, owner, workspace):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        get_token(api_client, "owner@example.com", "wrong-password-123")
    assert get_token(api_client, "owner@example.com").status_code == 429

    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timezone.timedelta(minutes=1)):
        assert get_token(api_client, "owner@example.com").status_code == 200


def test_a_success_resets_the_failure_count(api_client, owner, workspace):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        get_token(api_client, "owner@example.com", "wrong-password-123")
    assert get_token(api_client, "owner@example.com").status_code == 200

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert get_token(api_client, "owner@example.com", "wrong-password-123").status_code == 400


def test_it_throttles_token_requests_per_address(api_client, db):
    allowed = int(api_settings.DEFAULT_THROTTLE_RATES["token"].split("/")[0])
    # Different accounts, so the per-account lock-out never trips first.
    for n in range(allowed):
        assert get_token(api_client, f"guess{n}@example.com", "whatever-123").status_code == 400

    throttled = get_token(api_client, "guess-last@example.com", "whatever-123")
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0


def test_a_forged_forwarded_for_does_not_escape_the_token_throttle(api_client, db):
    allowed = int(api_settings.DEFAULT_THROTTLE_RATES["token"].split("/")[0])
    for n in range(allowed):
        get_token(api_client, f"guess{n}@example.com", "whatever-123", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")

    throttled = get_token(api_client, "guess-last@example.com", "whatever-123",
                          HTTP_X_FORWARDED_FOR="203.0.113.250")
    assert throttled.status_code == 429


def test_asking_for_a_token_ignores_a_stale_authorization_header(owner, workspace):
    client = client_with("revoked-or-garbage")

    assert get_token(client, "owner@example.com").status_code == 200


def test_it_sets_last_login(api_client, owner, workspace):
    get_token(api_client, "owner@example.com")

    owner.refresh_from_db()
    assert owner.last_login is not None


def test_revoking_the_token_in_use_makes_it_401(api_client, owner, workspace):
    key = get_token(api_client, "owner@example.com").json()["token"]
    other_key = get_token(api_client, "owner@example.com").json()["token"]
    client = client_with(key)

    assert client.delete(TOKEN_URL).status_code == 204

    response = client.get(ME_URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert client.delete(TOKEN_URL).status_code == 401
    # Only the token in use was revoked.
    assert client_with(other_key).get(ME_URL).status_code == 200


def test_revoking_needs_a_token(api_client, db):
    response = api_client.delete(TOKEN_URL)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_removed_teammate_token_stops_working(manager_api, manager, workspace):
    assert manager_api.get(ME_URL).status_code == 200

    Membership.objects.filter(user=manager, workspace=workspace).delete()

    assert manager_api.get(ME_URL).status_code == 401


def test_a_demoted_owner_token_stops_acting_as_owner(owner_api, owner, workspace):
    Membership.objects.filter(user=owner, workspace=workspace).update(role=Role.MANAGER)

    assert owner_api.get(ME_URL).status_code == 401


def test_an_unlinked_freelancer_token_stops_working(freelancer_api, freelancer):
    assert freelancer_api.get(ME_URL).status_code == 200

    freelancer.user = None
    freelancer.save()

    assert freelancer_api.get(ME_URL).status_code == 401


def test_the_api_token_command_prints_a_working_token(owner, workspace):
    out = io.StringIO()
    call_command("api_token", "--email", "OWNER@example.com", "--workspace", workspace.slug,
                 stdout=out, stderr=io.StringIO())

    key = out.getvalue().strip()
    me = client_with(key).get(ME_URL).json()
    assert me["role"] == "owner"
    assert me["workspace"]["slug"] == workspace.slug


def test_the_api_token_command_refuses_a_non_member(owner, workspace, outsider):
    other = WorkspaceFactory(slug="elsewhere")

    with pytest.raises(CommandError, match="elsewhere"):
        call_command("api_token", "--email", "owner@example.com", "--workspace", other.slug,
                     stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="No active user"):
        call_command("api_token", "--email", "ghost@example.com", stdout=io.StringIO())


def test_a_token_request_leaves_no_session_behind(owner_api, settings):
    """The token is the credential: no session row is written, no cookie set, however the
    sessions' idle clock is configured."""
    from django.contrib.sessions.models import Session

    settings.SESSION_IDLE_TIMEOUT = 2 * 60 * 60  # as in production
    for _ in range(2):
        response = owner_api.get(ME_URL)
        assert response.status_code == 200
        assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert Session.objects.count() == 0
