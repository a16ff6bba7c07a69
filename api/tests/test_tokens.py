"""Tokens expire, record their last use, and can be listed and revoked (API.md "Tokens")."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from accounts.tests.factories import PASSWORD
from api.models import ApiToken, TokenRole
from api.tests.conftest import client_with, issue

TOKEN_URL = "/api/v1/auth/token/"
TOKENS_URL = "/api/v1/auth/tokens/"
ME_URL = "/api/v1/me/"


def test_a_new_token_expires_after_90_days_by_default(api_client, owner, workspace):
    body = api_client.post(TOKEN_URL, {"email": owner.email, "password": PASSWORD}, format="json").json()

    token = ApiToken.objects.get(user=owner)
    assert abs((token.expires_at - timezone.now()) - timedelta(days=90)) < timedelta(minutes=1)
    assert body["expires_at"]


def test_the_lifetime_is_a_setting(api_client, owner, workspace, settings):
    settings.API_TOKEN_LIFETIME = timedelta(days=7)

    api_client.post(TOKEN_URL, {"email": owner.email, "password": PASSWORD}, format="json")

    token = ApiToken.objects.get(user=owner)
    assert abs((token.expires_at - timezone.now()) - timedelta(days=7)) < timedelta(minutes=1)


def test_an_expired_token_answers_401_saying_so(owner, workspace):
    client = client_with(issue(owner, workspace, TokenRole.OWNER))
    assert client.get(ME_URL).status_code == 200

    with time_machine.travel(timezone.now() + timedelta(days=91)):
        response = client.get(ME_URL)

    assert response.status_code == 401
    assert response.json() == {"detail": "Token expired."}
    assert response["WWW-Authenticate"] == "Token"


def test_use_records_the_last_used_time(owner, workspace):
    client = client_with(issue(owner, workspace, TokenRole.OWNER))
    assert ApiToken.objects.get(user=owner).last_used_at is None

    client.get(ME_URL)

    assert ApiToken.objects.get(user=owner).last_used_at is not None


def test_it_lists_only_the_users_own_tokens(owner_api, owner, workspace, manager, outsider, outsider_workspace):
    issue(manager, workspace, TokenRole.MANAGER)
    issue(outsider, outsider_workspace, TokenRole.OWNER)

    response = owner_api.get(TOKENS_URL)

    assert response.status_code == 200
    (row,) = response.json()["results"]
    token = ApiToken.objects.get(user=owner)
    assert row == {
        "id": token.pk, "created_at": row["created_at"], "last_used_at": row["last_used_at"],
        "expires_at": row["expires_at"], "workspace": workspace.slug, "role": "owner",
    }
    assert row["last_used_at"] is not None  # this very request used it
    assert row["expires_at"]


def test_a_freelancer_lists_their_tokens_too(freelancer_api):
    response = freelancer_api.get(TOKENS_URL)

    assert response.status_code == 200
    assert [row["role"] for row in response.json()["results"]] == ["freelancer"]


def test_revoking_a_token_by_id_ends_it(owner_api, owner, workspace):
    other_key = issue(owner, workspace, TokenRole.OWNER)
    other = ApiToken.objects.get(user=owner, prefix=other_key[:8])

    response = owner_api.delete(f"{TOKENS_URL}{other.pk}/")

    assert response.status_code == 204
    assert client_with(other_key).get(ME_URL).status_code == 401
    assert owner_api.get(ME_URL).status_code == 200


def test_someone_elses_token_is_404(owner_api, outsider, outsider_workspace):
    outsider_key = issue(outsider, outsider_workspace, TokenRole.OWNER)
    theirs = ApiToken.objects.get(user=outsider)

    assert owner_api.delete(f"{TOKENS_URL}{theirs.pk}/").status_code == 404
    assert client_with(outsider_key).get(ME_URL).status_code == 200


def test_listing_needs_a_token(api_client, db):
    assert api_client.get(TOKENS_URL).status_code == 401
