import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from payments import services
from payments.models import PaymentSettings

pytestmark = pytest.mark.django_db


def writes(queries):
    return [q["sql"] for q in queries.captured_queries
            if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def test_settings_only_the_owner_changes_the_window(owner_client, workspace, manager):
    response = owner_client.post(reverse("payments:settings"), {"review_window_days": "7"})
    assert response.status_code == 302
    assert PaymentSettings.objects.get(workspace=workspace).review_window_days == 7
    bad = owner_client.post(reverse("payments:settings"), {"review_window_days": "31"})
    assert bad.status_code == 200
    assert PaymentSettings.objects.get(workspace=workspace).review_window_days == 7


def test_settings_refuse_a_manager(manager_client, workspace, owner):
    services.payment_settings_update(workspace=workspace, actor=owner, review_window_days=14)
    manager_client.post(reverse("payments:settings"), {"review_window_days": "3"})
    assert PaymentSettings.objects.get(workspace=workspace).review_window_days == 14


def test_a_refused_change_writes_nothing(manager_client, workspace):
    with CaptureQueriesContext(connection) as queries:
        response = manager_client.post(reverse("payments:settings"), {"review_window_days": "3"})
    assert response.status_code == 302
    assert not [sql for sql in writes(queries) if "payments_" in sql]
    assert not PaymentSettings.objects.filter(workspace=workspace).exists()


@pytest.mark.parametrize("who", ["owner_client", "manager_client"])
def test_showing_the_settings_writes_nothing(request, who, workspace):
    client = request.getfixturevalue(who)
    client.get(reverse("payments:overview"))  # whatever a first visit stores, stored before we look
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("payments:settings"))
    assert response.status_code == 200
    assert "14" in response.content.decode()
    assert writes(queries) == []
    assert not PaymentSettings.objects.filter(workspace=workspace).exists()
