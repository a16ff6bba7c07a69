from api.tests.conftest import client_with

ME_URL = "/api/v1/me/"


def test_it_tells_an_owner_who_they_are_and_that_they_see_the_workspace(owner_api, owner, workspace):
    response = owner_api.get(ME_URL)

    assert response.status_code == 200
    body = response.json()
    assert body["user"] == {"id": owner.pk, "email": "owner@example.com", "full_name": "Olivia Owner",
                            "timezone": "UTC"}
    assert body["role"] == "owner"
    assert body["workspace"]["slug"] == workspace.slug
    assert body["workspace"]["currency"] == workspace.currency
    assert body["freelancer"] is None
    assert body["scope"] == "workspace"
    assert "Acme Studio" in body["may_see"]
    assert len(body["token"]["prefix"]) == 8


def test_a_manager_sees_the_workspace_as_manager(manager_api):
    body = manager_api.get(ME_URL).json()

    assert (body["role"], body["scope"]) == ("manager", "workspace")
    assert "manager" in body["may_see"]


def test_a_freelancer_sees_only_their_own_engagements(freelancer_api, freelancer):
    body = freelancer_api.get(ME_URL).json()

    assert body["role"] == "freelancer"
    assert body["freelancer"] == freelancer.pk
    assert body["scope"] == "freelancer"
    assert "Fred Freelancer" in body["may_see"]


def test_an_outsider_token_describes_the_outsiders_own_workspace(outsider_api, workspace):
    body = outsider_api.get(ME_URL).json()

    assert body["workspace"]["slug"] != workspace.slug


def test_anonymous_gets_401_with_the_token_challenge(api_client, db):
    response = api_client.get(ME_URL)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["detail"]


def test_a_made_up_token_gets_401(db):
    for header in ("Token not-a-real-token", "Token", "Token a b"):
        client = client_with()
        client.credentials(HTTP_AUTHORIZATION=header)
        response = client.get(ME_URL)
        assert response.status_code == 401, header
        assert response["WWW-Authenticate"] == "Token"
