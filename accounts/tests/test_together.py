"""Several querysets read in one statement give what each gives when evaluated alone: model
instances with their select_related objects and annotations, values() rows, and every column
type these tables hold (timestamps, dates, decimals, JSON, booleans, text, NULLs)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count, F, Window
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.together import read_together
from engagements.models import Milestone
from notifications.models import Notification
from payments.tests.factories import EngagementFactory, FreelancerFactory, MilestoneFactory

pytestmark = pytest.mark.django_db


def _state(obj):
    if isinstance(obj, dict):
        return obj
    related = {name: _state(value) for name, value in obj._state.fields_cache.items() if value is not None}
    return {k: v for k, v in vars(obj).items() if not k.startswith("_")} | related


@pytest.mark.postgres  # the one-statement read is PostgreSQL's; elsewhere read_together is plain list()
def test_querysets_read_together_are_what_each_reads_alone(workspace):
    freelancer = FreelancerFactory(workspace=workspace, name="Ana", links=["https://example.com/ana"])
    engagement = EngagementFactory(workspace=workspace, freelancer=freelancer, title="Site")
    now = timezone.now()
    for i in range(3):
        MilestoneFactory(engagement=engagement, title=f"Part {i}", amount=1_000 * (i + 1),
                         due_at=now + timedelta(days=i) if i else None)
    Notification.objects.create(kind="x", recipient_email="a@example.com", dedupe_key="k1", workspace=workspace,
                                context={"amount": "1.00", "nested": {"n": 1}})
    querysets = [
        Milestone.objects.select_related("engagement__freelancer")
        .annotate(_total=Window(Count("pk")), who=F("engagement__freelancer__name")).order_by("pk")[:2],
        Notification.objects.filter(workspace=workspace),
        Milestone.objects.values("engagement", "engagement__title").annotate(n=Count("pk")).order_by(),
        Milestone.objects.filter(title="nothing"),
    ]
    alone = [[_state(o) for o in qs] for qs in querysets]

    with CaptureQueriesContext(connection) as ctx:
        together = [[_state(o) for o in rows] for rows in read_together(querysets)]

    assert together == alone
    assert len(ctx) == 1
    first = read_together(querysets)[0][0]
    assert first.engagement.freelancer.links == ["https://example.com/ana"] and first._total == 3
    assert alone[1][0]["context"] == {"amount": "1.00", "nested": {"n": 1}}
