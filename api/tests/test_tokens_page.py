"""The profile's token page: a person lists and revokes their own tokens."""

from datetime import timedelta

from django.utils import timezone

from api.models import ApiToken, TokenRole
from api.tests.conftest import client_with, issue

PAGE = "/accounts/tokens/"


def test_the_profile_links_to_the_token_page(owner_client):
    assert PAGE in owner_client.get("/accounts/profile/").content.decode()


def test_it_lists_your_tokens_with_last_use_and_expiry(owner_client, owner, workspace, outsider, outsider_workspace):
    key = issue(owner, workspace, TokenRole.OWNER)
    client_with(key).get("/api/v1/me/")
    expired_key = issue(owner, workspace, TokenRole.OWNER)
    ApiToken.objects.filter(prefix=expired_key[:8]).update(expires_at=timezone.now() - timedelta(days=1))
    outsider_key = issue(outsider, outsider_workspace, TokenRole.OWNER)

    page = owner_client.get(PAGE).content.decode()

    assert f"{key[:8]}…" in page
    assert "last used" in page and "never used" in page
    assert "expired" in page and "expires" in page
    assert outsider_key[:8] not in page


def test_revoking_from_the_page_ends_the_token(owner_client, owner, workspace):
    key = issue(owner, workspace, TokenRole.OWNER)
    token = ApiToken.objects.get(user=owner)

    response = owner_client.post(f"{PAGE}{token.pk}/revoke/", follow=True)

    assert "revoked" in response.content.decode()
    assert client_with(key).get("/api/v1/me/").status_code == 401


def test_someone_elses_token_is_404(owner_client, outsider, outsider_workspace):
    key = issue(outsider, outsider_workspace, TokenRole.OWNER)
    theirs = ApiToken.objects.get(user=outsider)

    assert owner_client.post(f"{PAGE}{theirs.pk}/revoke/").status_code == 404
    assert client_with(key).get("/api/v1/me/").status_code == 200


def test_the_page_needs_a_login(client, db):
    assert client.get(PAGE)["Location"].startswith("/accounts/login/")
