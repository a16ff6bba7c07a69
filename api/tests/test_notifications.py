import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from engagements import reminders
from engagements.models import Engagement
from engagements.tests.factories import EngagementFactory
from notifications.models import Notification, NotificationStatus

URL = "/api/v1/notifications/"
SECRET_LINK = "https://example.com/invite/one-time-secret-token/"


def make(workspace, n, **fields):
    defaults = {
        "workspace": workspace, "recipient_email": f"person{n}@example.com", "kind": "invitation",
        "dedupe_key": f"test:{getattr(workspace, 'pk', None)}:{n}", "context": {"link": SECRET_LINK},
    }
    return Notification.objects.create(**(defaults | fields))


@pytest.fixture
def outbox(workspace, outsider_workspace):
    now = timezone.now()
    return {
        "invite": make(workspace, 1, created_at=now - timezone.timedelta(minutes=3)),
        "sent": make(workspace, 2, kind="status_overdue", engagement_id=41, status=NotificationStatus.SENT,
                     sent_at=now, attempts=1, created_at=now - timezone.timedelta(minutes=2)),
        "failed": make(workspace, 3, kind="status_overdue", engagement_id=42, status=NotificationStatus.FAILED,
                       attempts=5, last_error="550 mailbox unavailable",
                       created_at=now - timezone.timedelta(minutes=1)),
        "theirs": make(outsider_workspace, 4),
        "no_workspace": make(None, 5, kind="password_reset"),
    }


def ids(response):
    return [row["id"] for row in response.json()["results"]]


def test_an_owner_sees_the_workspace_outbox_newest_first(owner_api, outbox):
    response = owner_api.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert ids(response) == [outbox["failed"].pk, outbox["sent"].pk, outbox["invite"].pk]
    failed = body["results"][0]
    assert failed == {
        "id": outbox["failed"].pk, "kind": "status_overdue", "recipient": "person3@example.com",
        "status": "failed", "dedupe_key": outbox["failed"].dedupe_key,
        "created_at": failed["created_at"], "sent_at": None, "attempts": 5,
        "last_error": "550 mailbox unavailable", "engagement": 42, "not_before": None,
    }


def test_it_never_exposes_the_context(owner_api, outbox):
    response = owner_api.get(URL)

    assert all("context" not in row for row in response.json()["results"])
    assert "one-time-secret-token" not in response.content.decode()


def test_a_manager_sees_the_outbox_too(manager_api, outbox):
    assert manager_api.get(URL).json()["count"] == 3


def test_another_workspaces_owner_sees_none_of_ours(outsider_api, outbox):
    response = outsider_api.get(URL)

    assert ids(response) == [outbox["theirs"].pk]


def test_a_freelancer_token_gets_404(freelancer_api, outbox):
    assert freelancer_api.get(URL).status_code == 404


def test_anonymous_gets_401(api_client, outbox):
    response = api_client.get(URL)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("query,expected", [
    ("kind=status_overdue", ["failed", "sent"]),
    ("engagement=41", ["sent"]),
    ("status=failed", ["failed"]),
    ("kind=status_overdue&status=sent", ["sent"]),
    ("kind=password_reset", []),
    ("engagement=999", []),
])
def test_it_filters(owner_api, outbox, query, expected):
    response = owner_api.get(f"{URL}?{query}")

    assert response.status_code == 200
    assert ids(response) == [outbox[name].pk for name in expected]


@pytest.mark.parametrize("query,field", [
    ("status=lost", "status"),
    ("engagement=abc", "engagement"),
    ("engagement=0", "engagement"),
    ("engagement=99999999999999999999", "engagement"),
])
def test_it_rejects_a_bad_filter_with_a_field_error(owner_api, outbox, query, field):
    response = owner_api.get(f"{URL}?{query}")

    assert response.status_code == 400
    assert field in response.json()


def test_pagination_bounds(owner_api, workspace):
    for n in range(130):
        make(workspace, n)

    default = owner_api.get(URL).json()
    assert default["count"] == 130
    assert len(default["results"]) == 25
    assert default["previous"] is None
    assert "page=2" in default["next"]

    # Beyond the bounds the schema states is a 400 naming the parameter (test_strict_input.py).
    assert owner_api.get(f"{URL}?page_size=1000").status_code == 400
    assert len(owner_api.get(f"{URL}?page_size=100").json()["results"]) == 100

    last = owner_api.get(f"{URL}?page_size=100&page=2").json()
    assert len(last["results"]) == 30
    assert last["next"] is None
    assert last["previous"]

    assert owner_api.get(f"{URL}?page=3&page_size=100").status_code == 404
    assert owner_api.get(f"{URL}?page=0").status_code == 400
    assert owner_api.get(f"{URL}?page_size=0").status_code == 400


def test_a_sweeps_reminders_are_listed_with_their_dedupe_key_and_status_by_kind_and_engagement(owner_api, workspace,
                                                                                              owner):
    overdue, other = (EngagementFactory(workspace=workspace, created_by=owner, status="active") for _ in range(2))
    due = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0) - dt.timedelta(days=2)
    for engagement in (overdue, other):
        engagement.freelancer.timezone = "UTC"
        engagement.freelancer.save()
    Notification.objects.all().delete()

    Engagement.objects.filter(pk__in=[overdue.pk, other.pk]).update(
        next_update_due_at=due, update_reminder_at=due, activated_at=due - dt.timedelta(days=3))
    with time_machine.travel(due + dt.timedelta(hours=1), tick=False):
        reminders.status_update_reminders()

    response = owner_api.get(URL, {"kind": "update_reminder", "engagement": overdue.pk})
    [row] = response.json()["results"]
    assert row["dedupe_key"] == f"status-overdue:{overdue.pk}:{due.isoformat()}:1"
    assert (row["status"], row["engagement"], row["recipient"]) == ("queued", overdue.pk, overdue.freelancer.email)
    assert owner_api.get(URL, {"kind": "update_overdue"}).json()["count"] == 0
    assert owner_api.get(URL, {"engagement": other.pk}).json()["count"] == 1
