import pytest

from accounts.models import Membership, Role, User, Workspace

pytestmark = pytest.mark.django_db

GOOD = {
    "full_name": "Sam Starter",
    "email": "Sam@Example.com",
    "password": "purple-anchor-river-42",
    "workspace_name": "Sam's Bakery",
    "timezone": "Europe/Lisbon",
    "currency": "eur",
}


def test_it_creates_the_workspace_makes_you_owner_and_logs_you_in(client):
    response = client.post("/accounts/signup/", GOOD)

    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get()
    assert user.email == "sam@example.com"
    assert user.timezone == "Europe/Lisbon"
    workspace = Workspace.objects.get()
    assert (workspace.name, workspace.slug, workspace.timezone, workspace.currency) == (
        "Sam's Bakery", "sams-bakery", "Europe/Lisbon", "EUR")
    assert Membership.objects.get().role == Role.OWNER
    home = client.get("/")
    assert home.status_code == 200
    assert "Sam&#x27;s Bakery is ready" in home.content.decode()
    assert "sam@example.com" in home.content.decode()


def test_two_workspaces_with_one_name_get_distinct_slugs(client):
    client.post("/accounts/signup/", {**GOOD, "workspace_name": "Acme Studio"})
    client.logout()
    client.post("/accounts/signup/", {**GOOD, "email": "other@example.com", "workspace_name": "Acme Studio"})

    assert sorted(Workspace.objects.values_list("slug", flat=True)) == ["acme-studio", "acme-studio-2"]


def _assert_refused(response, field, text):
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert text in " ".join(form.errors[field])
    assert text in response.content.decode().replace("&#x27;", "'")


def test_it_refuses_an_email_already_taken_in_another_case(client, owner):
    users, workspaces = User.objects.count(), Workspace.objects.count()

    response = client.post("/accounts/signup/", {**GOOD, "email": "OWNER@example.COM"})

    _assert_refused(response, "email", "already exists")
    assert (User.objects.count(), Workspace.objects.count()) == (users, workspaces)
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("password, why", [
    ("short1", "too short"),
    ("password123", "too common"),
    ("4815162342108", "entirely numeric"),
    ("sam@example.com1", "too similar"),
])
def test_it_refuses_a_weak_password(client, password, why):
    response = client.post("/accounts/signup/", {**GOOD, "password": password})

    _assert_refused(response, "password", why)
    assert not User.objects.exists()
    assert not Workspace.objects.exists()


@pytest.mark.parametrize("tz", ["Mars/Olympus", "", "europe/lisbon"])
def test_it_refuses_a_bad_timezone(client, tz):
    response = client.post("/accounts/signup/", {**GOOD, "timezone": tz})

    assert "timezone" in response.context["form"].errors
    assert not User.objects.exists()
    assert not Workspace.objects.exists()


def test_it_refuses_a_bad_currency(client):
    response = client.post("/accounts/signup/", {**GOOD, "currency": "E1R"})

    _assert_refused(response, "currency", "ISO 4217")
    assert not User.objects.exists()


def test_the_form_has_labelled_fields(client):
    body = client.get("/accounts/signup/").content.decode()
    for field in ["full_name", "email", "password", "workspace_name", "timezone", "currency"]:
        assert f'for="id_{field}"' in body
    assert 'autocomplete="new-password"' in body


def test_a_signed_in_user_is_sent_home(owner_client):
    assert owner_client.get("/accounts/signup/")["Location"] == "/"
