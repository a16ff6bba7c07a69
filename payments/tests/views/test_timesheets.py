import re

import pytest
from django.urls import reverse

from payments import services
from payments.models import Transaction

from ..conftest import log

pytestmark = pytest.mark.django_db


def test_timesheet_page_approves_with_a_key(owner_client, week, freelancer):
    log(week, freelancer, 0, 60)
    services.timesheet_submit(timesheet=week, actor=freelancer.user)
    page = owner_client.get(reverse("payments:timesheet", args=[week.pk])).content.decode()
    assert "50.00 USD" in page and "Approve the week" in page
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)
    url = reverse("payments:timesheet_action", args=[week.pk, "approve"])
    owner_client.post(url, {"idempotency_key": key})
    owner_client.post(url, {"idempotency_key": key})
    assert Transaction.objects.filter(kind="timesheet").count() == 1


def test_timesheet_of_another_workspace_is_404(outsider_client, week):
    assert outsider_client.get(reverse("payments:timesheet", args=[week.pk])).status_code == 404
