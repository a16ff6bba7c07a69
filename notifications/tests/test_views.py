import pytest
from django.test import Client

from notifications.models import Notification, NotificationStatus
from notifications.services import notify

pytestmark = pytest.mark.django_db


def _note(workspace, key, status=NotificationStatus.SENT, **fields):
    notification, _ = notify(kind="teammate_invitation", recipient_email=f"{key}@example.com",
                             dedupe_key=key, workspace=workspace)
    Notification.objects.filter(pk=notification.pk).update(status=status, subject=f"Subject {key}", **fields)
    return notification


def test_it_lists_the_workspace_emails_with_their_status(owner_client, workspace):
    _note(workspace, "delivered")
    _note(workspace, "bounced", status=NotificationStatus.FAILED, last_error="refused: 550 No such user")

    page = owner_client.get("/notifications/").content.decode()

    assert "Subject delivered" in page and "delivered@example.com" in page
    assert "Subject bounced" in page
    assert ">refused: 550 No such user</div>" in page  # the reason is on the page, not in a tooltip
    assert "Failed" in page and "Sent" in page


def test_it_filters_by_status(owner_client, workspace):
    _note(workspace, "delivered")
    _note(workspace, "bounced", status=NotificationStatus.FAILED)

    page = owner_client.get("/notifications/?status=failed").content.decode()

    assert "Subject bounced" in page
    assert "Subject delivered" not in page


def test_it_shows_nothing_from_another_workspace(owner_client, workspace, outsider):
    other = outsider.memberships.get().workspace
    _note(other, "secret")

    page = owner_client.get("/notifications/").content.decode()

    assert "secret@example.com" not in page
    assert "No emails yet." in page
    outsider_client = Client()
    outsider_client.force_login(outsider)
    assert "secret@example.com" in outsider_client.get("/notifications/").content.decode()


def test_managers_see_it_too(manager_client, workspace):
    _note(workspace, "delivered")
    assert "Subject delivered" in manager_client.get("/notifications/").content.decode()


def test_it_pages_long_lists(owner_client, workspace):
    for n in range(55):
        _note(workspace, f"n{n:02d}")

    first = owner_client.get("/notifications/").content.decode()
    second = owner_client.get("/notifications/?page=2").content.decode()

    assert "1 / 2" in first
    assert first.count("@example.com</div>") == 50
    assert second.count("@example.com</div>") == 5


def test_the_home_page_links_the_emails_the_workspace_sent(owner_client, workspace):
    # The home page says what needs the owner; the emails themselves are one click away.
    _note(workspace, "delivered")
    assert 'href="/notifications/"' in owner_client.get("/").content.decode()
    assert "Subject delivered" in owner_client.get("/notifications/").content.decode()


def test_the_workspaces_pages_name_emails_without_its_prefix_or_raw_kinds(workspace):
    sent = Notification(workspace=workspace, kind="portal_invitation", subject="[Acme Studio] Dana invited you")
    queued = Notification(workspace=workspace, kind="portal_invitation", subject="")
    assert sent.label == "Dana invited you"
    assert queued.label == "Portal invitation"
