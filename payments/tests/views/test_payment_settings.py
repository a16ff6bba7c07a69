import pytest
from django.urls import reverse

from payments.models import PaymentSettings

pytestmark = pytest.mark.django_db


def test_settings_only_the_owner_changes_the_window(owner_client, workspace, manager):
    response = owner_client.post(reverse("payments:settings"), {"review_window_days": "7"})
    assert response.status_code == 302
    assert PaymentSettings.objects.get(workspace=workspace).review_window_days == 7
    bad = owner_client.post(reverse("payments:settings"), {"review_window_days": "31"})
    assert bad.status_code == 200
    assert PaymentSettings.objects.get(workspace=workspace).review_window_days == 7


def test_settings_refuse_a_manager(manager_client, workspace):
    manager_client.post(reverse("payments:settings"), {"review_window_days": "3"})
    assert PaymentSettings.objects.get(workspace=workspace).review_window_days == 14
