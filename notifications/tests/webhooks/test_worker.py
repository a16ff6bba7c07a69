"""The real path: an action commits, a Celery worker (a subprocess on Redis) delivers the
event, a 500 is retried about 5 s later by the worker itself (a countdown in the broker),
with the same webhook-id."""

import time

import pytest
from django.db import transaction
from standardwebhooks.webhooks import Webhook

from notifications.models import DeliveryStatus
from notifications.webhooks.services import webhook_emit


@pytest.mark.postgres
@pytest.mark.redis
def test_a_worker_delivers_after_commit_and_retries_a_500_with_the_same_id(
        celery_worker_process, workspace, receiver, endpoint):
    ep, secret = endpoint
    receiver.answers = [500]
    with transaction.atomic():
        event = webhook_emit(workspace_id=workspace.pk, type="milestone.funded", data={"milestone": {"id": 1}})
        time.sleep(0.5)
        assert receiver.requests == []  # nothing leaves before the commit

    deadline = time.monotonic() + 60
    while len(receiver.requests) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)

    assert [h["webhook-id"] for h, _ in receiver.requests] == [event.uid, event.uid]
    Webhook(secret).verify(receiver.requests[1][1], receiver.requests[1][0])
    delivery = event.deliveries.get()
    for _ in range(50):
        delivery.refresh_from_db()
        if delivery.status == DeliveryStatus.SUCCEEDED:
            break
        time.sleep(0.1)
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert list(delivery.attempt_log.order_by("number").values_list("status_code", flat=True)) == [500, 200]
