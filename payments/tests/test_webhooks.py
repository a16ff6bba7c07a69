"""Money actions emit webhooks in their own transaction: after commit the worker delivers
them, signed; an action that rolls back (or is refused) emits nothing."""

import json
from datetime import date

import pytest
from django.db import transaction
from standardwebhooks.webhooks import Webhook

from notifications.models import DeliveryStatus, WebhookEvent
from notifications.tests.webhooks.conftest import Receiver
from notifications.webhooks.services import webhook_endpoint_create
from payments import services
from payments.errors import BudgetExceeded

from .conftest import fund, new_key, submit


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOKS_ALLOW_HTTP = True
    r = Receiver()
    yield r
    r.stop()


@pytest.fixture
def hook(workspace, owner, receiver):
    return webhook_endpoint_create(workspace=workspace, actor=owner, url=receiver.url,
                                   events=["milestone.funded", "milestone.released", "payout.paid"])


def test_a_funded_milestone_reaches_the_receiver_signed_after_commit(
        milestone, owner, hook, receiver, celery_eager, django_capture_on_commit_callbacks):
    endpoint, secret = hook
    with django_capture_on_commit_callbacks(execute=True):
        fund(milestone, owner)

    (headers, body), = receiver.requests
    payload = Webhook(secret).verify(body, headers)
    assert payload["type"] == "milestone.funded"
    assert payload["data"]["milestone"] | {"id": milestone.pk, "state": "funded", "amount": 150_000} \
        == payload["data"]["milestone"]
    assert endpoint.deliveries.get().status == DeliveryStatus.SUCCEEDED


def test_a_rolled_back_action_emits_nothing(milestone, owner, hook, receiver, celery_eager,
                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        fund(milestone, owner)
        raise RuntimeError("the caller's transaction fails after the funding")

    assert not WebhookEvent.objects.exists()
    assert receiver.requests == []


def test_a_refused_action_emits_nothing(make_milestone, owner, hook):
    too_big = make_milestone(amount=5_000_000)

    with pytest.raises(BudgetExceeded):
        fund(too_big, owner)

    assert not WebhookEvent.objects.exists()


def test_release_and_payout_emit_their_events(milestone, owner, engagement, hook):
    fund(milestone, owner)
    submit(milestone)
    services.milestone_release(milestone=milestone, actor=owner, idempotency_key=new_key())
    services.payout_record(engagement=engagement, actor=owner, amount=100_000, method="paypal",
                           reference="PP-1", paid_on=date.today(), idempotency_key=new_key())

    events = [(e.type, json.loads(e.body)["data"]) for e in WebhookEvent.objects.order_by("id")]
    assert [t for t, _ in events] == ["milestone.funded", "milestone.released", "payout.paid"]
    assert events[2][1]["payout"] | {"amount": 100_000, "engagement": engagement.pk} == events[2][1]["payout"]
