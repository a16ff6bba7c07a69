"""Retainer periods and commission reports tell integrations what happened to them, like
milestones do: each move emits its event in the move's own transaction (a run twice emits once),
with ids, amounts and dates, and never the dispute's reason."""

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from engagements.services.reporting import status_update_post
from notifications.models import WebhookEvent
from notifications.webhooks.events import EVENT_TYPES
from notifications.webhooks.services import webhook_endpoint_create
from payments import services
from payments.models import RetainerPeriod
from payments.reminders.pay_models import pay_models_sweep

from .conftest import new_key
from .factories import EngagementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscribed(workspace, owner):
    """An endpoint for every event type; .invalid never resolves, so nothing leaves the machine."""
    endpoint, _ = webhook_endpoint_create(workspace=workspace, actor=owner, url="https://hooks.example.invalid/x",
                                          events=list(EVENT_TYPES))
    return endpoint


def sent(prefix):
    return [(e.type, json.loads(e.body)["data"]) for e in WebhookEvent.objects.filter(type__startswith=prefix)
            .order_by("id")]


def test_a_retainer_period_emits_funded_hours_over_disputed_resolved_and_released(
        subscribed, workspace, owner, freelancer, time_machine):
    time_machine.move_to(datetime(2026, 2, 1, 9, 0, tzinfo=UTC), tick=False)
    retainer = EngagementFactory(workspace=workspace, freelancer=freelancer, pay_terms="retainer",
                                 retainer_amount=300_000, retainer_hours=20, starts_on=date(2026, 1, 31),
                                 budget=2_000_000)
    pay_models_sweep()
    pay_models_sweep()  # run twice: funded once
    status_update_post(engagement_id=retainer.pk, freelancer=freelancer, done="Work", next="More",
                       percent_complete=50, hours=Decimal("21"))
    pay_models_sweep()
    first = RetainerPeriod.objects.get()
    services.retainer_period_dispute(period=first, actor=freelancer.user, reason="A private reason")
    services.retainer_period_resolve(period=first, actor=owner, release_amount=200_000, refund_amount=100_000,
                                     idempotency_key=new_key())
    time_machine.move_to(datetime(2026, 2, 28, 0, 5, tzinfo=UTC), tick=False)
    pay_models_sweep()  # the second month starts
    time_machine.move_to(datetime(2026, 3, 31, 0, 5, tzinfo=UTC), tick=False)
    pay_models_sweep()  # the second period ends undisputed: released; the third starts

    events = sent("retainer_period.")
    assert [t for t, _ in events] == ["retainer_period.funded", "retainer_period.hours_over",
                                      "retainer_period.disputed", "retainer_period.resolved",
                                      "retainer_period.funded", "retainer_period.released",
                                      "retainer_period.funded"]
    funded, over, disputed, resolved = (data["retainer_period"] for _, data in events[:4])
    assert (funded["id"], funded["amount"], funded["currency"], funded["state"]) == (first.pk, 300_000, "USD",
                                                                                     "funded")
    assert (over["hours_used"], over["hours_included"]) == ("21.00", 20)
    assert disputed["dispute_side"] == "freelancer" and "A private reason" not in json.dumps(events)
    assert (resolved["state"], resolved["release_amount"], resolved["refund_amount"]) == ("split", 200_000, 100_000)
    assert events[5][1]["retainer_period"]["state"] == "released"


def test_a_commission_report_emits_created_disputed_accepted_and_released(
        subscribed, workspace, owner, freelancer, time_machine):
    time_machine.move_to(datetime(2026, 3, 10, 9, 0, tzinfo=UTC), tick=False)
    commission = EngagementFactory(workspace=workspace, freelancer=freelancer, pay_terms="commission",
                                   commission_percent=Decimal("12.5"))
    report = services.commission_report_create(engagement=commission, actor=owner, period=date(2026, 2, 1),
                                               base_amount=1_000_000)
    services.commission_report_dispute(report=report, actor=freelancer.user, reason="Sales were higher")
    corrected = services.commission_report_create(engagement=commission, actor=owner, period=date(2026, 2, 1),
                                                  base_amount=1_200_000)
    key = new_key()
    services.commission_report_accept(report=corrected, actor=freelancer.user, idempotency_key=key)
    services.commission_report_accept(report=corrected, actor=freelancer.user, idempotency_key=key)  # a retry
    january = services.commission_report_create(engagement=commission, actor=owner, period=date(2026, 1, 1),
                                                 base_amount=80_000)
    time_machine.move_to(january.dispute_deadline_at + timedelta(minutes=1), tick=False)
    pay_models_sweep()

    events = sent("commission_report.")
    assert [t for t, _ in events] == ["commission_report.created", "commission_report.disputed",
                                      "commission_report.created", "commission_report.released",
                                      "commission_report.accepted", "commission_report.created",
                                      "commission_report.released"]
    created, disputed, correction, released, accepted = (data["commission_report"] for _, data in events[:5])
    assert (created["id"], created["period"], created["commission_amount"], created["percent"]) == (
        report.pk, "2026-02-01", 125_000, "12.50")
    assert disputed["status"] == "disputed" and "Sales were higher" not in json.dumps(events)
    assert correction["corrects"] == report.pk and created["corrects"] is None
    assert (released["id"], released["how"], accepted["status"]) == (corrected.pk, "accepted by the freelancer",
                                                                     "released")
    assert events[6][1]["commission_report"] | {"id": january.pk, "how": "not disputed in time"} \
        == events[6][1]["commission_report"]
