import pytest

from accounts.models import Membership, Role, Workspace

pytestmark = pytest.mark.django_db


def test_it_saves_your_timezone_and_name(owner_client, owner):
    page = owner_client.get("/accounts/profile/")
    assert 'for="id_timezone"' in page.content.decode()

    response = owner_client.post("/accounts/profile/", {"full_name": "Olivia O.", "timezone": "Asia/Tokyo"})

    assert response["Location"] == "/accounts/profile/"
    owner.refresh_from_db()
    assert (owner.full_name, owner.timezone) == ("Olivia O.", "Asia/Tokyo")
    assert "Profile saved." in owner_client.get("/accounts/profile/").content.decode()


def test_it_refuses_an_unknown_timezone(owner_client, owner):
    response = owner_client.post("/accounts/profile/", {"full_name": "Olivia", "timezone": "Atlantis/Capital"})

    assert response.status_code == 200
    assert "not a known time zone" in response.content.decode()
    owner.refresh_from_db()
    assert owner.timezone == "UTC"


def test_the_profile_needs_a_login(client):
    assert client.get("/accounts/profile/")["Location"].startswith("/accounts/login/")


def _other_workspace(outsider):
    return Workspace.objects.get(memberships__user=outsider)


def test_the_switcher_moves_you_to_another_workspace_you_belong_to(owner_client, owner, workspace, outsider):
    other = _other_workspace(outsider)
    Membership.objects.create(user=owner, workspace=other, role=Role.MANAGER)
    home = owner_client.get("/").content.decode()
    assert "Switch workspace" in home
    assert f'value="{other.pk}"' in home

    response = owner_client.post("/accounts/workspace/switch/", {"workspace": other.pk})

    assert response["Location"] == "/"
    page = owner_client.get("/").content.decode()
    assert '<h1 class="h2 mb-0">Other Co</h1>' in page
    assert "outsider@example.com" in page
    # As a manager there, the owner-only invite form is gone.
    assert "Invite teammate" not in page


def test_the_switcher_refuses_a_workspace_you_do_not_belong_to(owner_client, workspace, outsider):
    other = _other_workspace(outsider)

    assert owner_client.post("/accounts/workspace/switch/", {"workspace": other.pk}).status_code == 404
    assert owner_client.post("/accounts/workspace/switch/", {"workspace": "nope"}).status_code == 404
    assert owner_client.post("/accounts/workspace/switch/", {}).status_code == 404

    page = owner_client.get("/").content.decode()
    assert '<h1 class="h2 mb-0">Acme Studio</h1>' in page
    assert "Other Co" not in page


def test_a_single_workspace_shows_no_switcher(owner_client):
    assert "Switch workspace" not in owner_client.get("/").content.decode()


def test_the_owner_edits_workspace_settings(owner_client, workspace):
    response = owner_client.post("/accounts/workspace/settings/",
                                 {"name": "Acme Ltd", "timezone": "America/Chicago", "currency": "gbp"})

    assert response["Location"] == "/accounts/workspace/settings/"
    workspace.refresh_from_db()
    assert (workspace.name, workspace.timezone, workspace.currency) == ("Acme Ltd", "America/Chicago", "GBP")


def test_a_manager_cannot_edit_workspace_settings(manager_client, workspace):
    response = manager_client.post("/accounts/workspace/settings/",
                                   {"name": "Hijacked", "timezone": "UTC", "currency": "USD"})

    assert response.status_code == 404
    workspace.refresh_from_db()
    assert workspace.name == "Acme Studio"


def test_a_user_without_a_workspace_gets_404_on_owner_pages(client, db):
    from accounts.tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get("/").status_code == 404
    assert client.get("/team/").status_code == 404
    assert client.get("/notifications/").status_code == 404


def test_pages_show_times_in_your_timezone(owner_client, owner, workspace):
    import datetime as dt

    from notifications.models import Notification

    Notification.objects.create(workspace=workspace, recipient_email="a@example.com", kind="x",
                                dedupe_key="tz", status="sent", subject="Hello",
                                sent_at=dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC))
    assert "2 Mar, 23:30" in owner_client.get("/notifications/").content.decode()

    owner_client.post("/accounts/profile/", {"full_name": owner.full_name, "timezone": "Asia/Tokyo"})

    assert "3 Mar, 08:30" in owner_client.get("/notifications/").content.decode()


def test_changing_the_password_keeps_you_in_and_logs_out_other_sessions(owner, workspace):
    from django.test import Client

    from accounts.tests.factories import PASSWORD

    here, elsewhere = Client(), Client()
    for browser in (here, elsewhere):
        browser.post("/accounts/login/", {"username": owner.email, "password": PASSWORD})
        assert browser.get("/").status_code == 200

    response = here.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "moss-granite-1984-k",
                                                 "new_password2": "moss-granite-1984-k"}, follow=True)

    assert "Password changed." in response.content.decode()
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("moss-granite-1984-k")


def test_changing_the_password_needs_the_old_one(owner_client, owner):
    from accounts.tests.factories import PASSWORD

    response = owner_client.post("/accounts/password/", {
        "old_password": "wrong", "new_password1": "moss-granite-1984-k", "new_password2": "moss-granite-1984-k"})

    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)
