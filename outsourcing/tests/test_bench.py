"""`manage.py bench` times one status-update sweep and leaves nothing behind."""

from io import StringIO

import pytest
from django.core.management import call_command

from engagements.models import Engagement
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_bench_reports_the_sweep_and_rolls_everything_back():
    out = StringIO()
    call_command("bench", engagements=40, due_percent=25, freelancers=4, stdout=out)
    report = out.getvalue()
    assert "40 running, 10 with an overdue update" in report
    assert "{'reminded': 10, 'escalated': 0}" in report and "10 notifications inserted" in report
    assert " queries " in report
    assert Engagement.objects.count() == 0 and Notification.objects.count() == 0
