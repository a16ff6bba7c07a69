"""Sending the webhook outbox: signed by the Standard Webhooks scheme (verified with the
`standardwebhooks` package's own Webhook.verify), retried with the same webhook-id, claimed
once per attempt, taken back from a dead worker, and an endpoint that keeps failing turned
off with one email to its owner."""

import json
import threading
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from notifications.models import DeliveryStatus, Notification, WebhookDelivery, WebhookEndpoint
from notifications.services import notification_send
from notifications.webhooks.delivery import (
    webhook_deliveries_dispatch,
    webhook_delivery_attempt,
    webhook_events_purge,
)
from notifications.webhooks.services import (
    webhook_delivery_redeliver,
    webhook_emit,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_update,
)

DATA = {"milestone": {"id": 7, "title": "Home page", "amount": 150000, "currency": "EUR"}}


def emit(workspace, type_="milestone.funded"):
    event = webhook_emit(workspace_id=workspace.pk, type=type_, data=DATA)
    return event, (event.deliveries.get() if event else None)


def attempt_when_due(delivery):
    """Run the next attempt at the moment it is due (the clock moved there)."""
    delivery.refresh_from_db()
    with time_machine.travel(delivery.next_attempt_at + timedelta(seconds=1), tick=True):
        return webhook_delivery_attempt(delivery_id=delivery.pk)


def test_the_receiver_verifies_the_signature_and_reads_type_timestamp_and_data(workspace, receiver, endpoint):
    _, secret = endpoint
    event, delivery = emit(workspace)

    assert webhook_delivery_attempt(delivery_id=delivery.pk) == "succeeded"

    (headers, body), = receiver.requests
    payload = Webhook(secret).verify(body, headers)
    assert payload["type"] == "milestone.funded"
    assert payload["data"]["milestone"] == DATA["milestone"]
    assert payload["data"]["workspace"] == workspace.pk
    assert payload["timestamp"].endswith("Z")
    assert headers["webhook-id"] == event.uid
    with pytest.raises(Exception, match="No matching signature"):
        Webhook(secret).verify(body.replace(b"150000", b"999999"), headers)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempt_log.get().status_code == 200


def test_a_500_then_200_gets_the_event_once_more_with_the_same_webhook_id(workspace, receiver, endpoint):
    receiver.answers = [500]
    event, delivery = emit(workspace)

    assert webhook_delivery_attempt(delivery_id=delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    # The first retry comes about 5 s later (±10 % jitter), not at once.
    wait = (delivery.next_attempt_at - delivery.attempt_log.get().at).total_seconds()
    assert 4.4 <= wait <= 5.6
    assert webhook_delivery_attempt(delivery_id=delivery.pk) == "skipped"  # not due yet
    assert attempt_when_due(delivery) == "succeeded"

    assert [h["webhook-id"] for h, _ in receiver.requests] == [event.uid, event.uid]
    assert [json.loads(b) for _, b in receiver.requests][0] == json.loads(receiver.requests[1][1])
    log = list(delivery.attempt_log.order_by("number").values_list("number", "status_code", "response_body"))
    assert log == [(1, 500, "answered 500"), (2, 200, "answered 200")]


def test_only_active_endpoints_subscribed_to_the_type_get_a_delivery(workspace, receiver, make_endpoint):
    subscribed, _ = make_endpoint(receiver.url, events=["milestone.funded"])
    make_endpoint(receiver.url, events=["milestone.released"])
    off, _ = make_endpoint(receiver.url, events=["milestone.funded"])
    webhook_endpoint_update(endpoint=off, actor=None, active=False)

    event, _ = emit(workspace)

    assert list(event.deliveries.values_list("endpoint", flat=True)) == [subscribed.pk]
    assert webhook_emit(workspace_id=workspace.pk, type="payout.paid", data={}) is None


def test_a_redirect_is_not_followed_and_counts_as_a_failure(workspace, receiver, endpoint):
    receiver.answers = [302]
    _, delivery = emit(workspace)

    assert webhook_delivery_attempt(delivery_id=delivery.pk) == "retry"

    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert delivery.last_status_code == 302


def test_redeliver_sends_the_same_message_again(workspace, receiver, endpoint, owner):
    event, delivery = emit(workspace)
    webhook_delivery_attempt(delivery_id=delivery.pk)

    webhook_delivery_redeliver(delivery=delivery, actor=owner)
    assert webhook_delivery_attempt(delivery_id=delivery.pk) == "succeeded"

    assert [h["webhook-id"] for h, _ in receiver.requests] == [event.uid, event.uid]
    assert delivery.attempt_log.count() == 2


def test_after_a_rotation_both_secrets_sign_for_a_day_then_only_the_new_one(workspace, receiver, endpoint, owner):
    ep, old_secret = endpoint
    new_secret = webhook_endpoint_rotate_secret(endpoint=ep, actor=owner)
    assert new_secret != old_secret
    _, first = emit(workspace)
    webhook_delivery_attempt(delivery_id=first.pk)
    (h1, b1), = receiver.requests
    assert len(h1["webhook-signature"].split(" ")) == 2
    Webhook(old_secret).verify(b1, h1)
    Webhook(new_secret).verify(b1, h1)

    with time_machine.travel(timezone.now() + timedelta(hours=25), tick=True):
        _, second = emit(workspace)
        webhook_delivery_attempt(delivery_id=second.pk)
        h2, b2 = receiver.requests[1]
        assert len(h2["webhook-signature"].split(" ")) == 1
        Webhook(new_secret).verify(b2, h2)
        with pytest.raises(Exception, match="No matching signature"):
            Webhook(old_secret).verify(b2, h2)


def test_an_endpoint_failing_n_times_in_a_row_is_turned_off_and_its_owner_emailed_once(
        workspace, receiver, endpoint, owner, manager, settings, mailoutbox):
    settings.WEBHOOKS_DISABLE_AFTER_FAILURES = 3
    receiver.answers = [500] * 10
    ep, _ = endpoint
    _, delivery = emit(workspace)
    _, other = emit(workspace)

    webhook_delivery_attempt(delivery_id=delivery.pk)
    webhook_delivery_attempt(delivery_id=other.pk)
    attempt_when_due(delivery)

    ep.refresh_from_db()
    assert not ep.active
    assert "3 failed attempts in a row" in ep.disabled_reason
    emails = Notification.objects.filter(kind="webhook_endpoint_disabled")
    assert [n.recipient_email for n in emails] == [owner.email]  # the owner, not the manager
    assert notification_send(notification_id=emails.get().pk) == "sent"
    (message,) = mailoutbox
    assert "webhook endpoint was turned off" in message.subject
    assert ep.url in message.body and f"/accounts/workspace/webhooks/{ep.pk}/" in message.body
    # Nothing more goes out: what was waiting is marked failed, not attempted.
    other.refresh_from_db()
    assert other.status == DeliveryStatus.FAILED
    assert webhook_delivery_attempt(delivery_id=other.pk) == "skipped"
    assert len(receiver.requests) == 3
    assert emit(workspace) == (None, None)


def test_an_endpoint_whose_every_attempt_failed_for_three_days_is_turned_off(workspace, receiver, endpoint, owner):
    receiver.answers = [503] * 50
    ep, _ = endpoint
    _, delivery = emit(workspace)

    outcomes = [webhook_delivery_attempt(delivery_id=delivery.pk)]
    while outcomes[-1] == "retry":
        outcomes.append(attempt_when_due(delivery))

    delivery.refresh_from_db()
    assert outcomes[-1] == "failed" and delivery.status == DeliveryStatus.FAILED
    # About 5 s, 5 min, 30 min, 2 h, 5 h, then every 10 h: the schedule fits three days.
    assert 10 <= len(outcomes) <= 13
    first, last = delivery.attempt_log.order_by("number").first(), delivery.attempt_log.order_by("number").last()
    assert timedelta(hours=60) < last.at - first.at <= timedelta(hours=72)
    ep.refresh_from_db()
    assert not ep.active and "every attempt failed" in ep.disabled_reason
    assert Notification.objects.filter(kind="webhook_endpoint_disabled").count() == 1


def test_a_success_in_between_keeps_the_endpoint_on(workspace, receiver, endpoint, settings):
    settings.WEBHOOKS_DISABLE_AFTER_FAILURES = 3
    receiver.answers = [500, 500, 200, 500, 500]
    ep, _ = endpoint
    for _ in range(5):
        _, delivery = emit(workspace)
        webhook_delivery_attempt(delivery_id=delivery.pk)

    ep.refresh_from_db()
    assert ep.active and ep.consecutive_failures == 2


def test_turning_a_disabled_endpoint_on_again_gives_it_a_fresh_start(workspace, receiver, endpoint, settings):
    settings.WEBHOOKS_DISABLE_AFTER_FAILURES = 1
    receiver.answers = [500]
    ep, _ = endpoint
    _, delivery = emit(workspace)
    webhook_delivery_attempt(delivery_id=delivery.pk)
    ep.refresh_from_db()
    assert not ep.active

    webhook_endpoint_update(endpoint=ep, actor=None, active=True)
    webhook_delivery_redeliver(delivery=delivery, actor=None)

    assert webhook_delivery_attempt(delivery_id=delivery.pk) == "succeeded"
    ep.refresh_from_db()
    assert ep.active and ep.consecutive_failures == 0 and ep.disabled_reason == ""


def test_the_sweep_takes_back_a_dead_workers_claim_and_hands_out_what_never_reached_the_broker(
        workspace, receiver, endpoint):
    _, stuck = emit(workspace)
    _, lost = emit(workspace)
    long_ago = timezone.now() - timedelta(hours=1)
    WebhookDelivery.objects.filter(pk=stuck.pk).update(status=DeliveryStatus.SENDING, claimed_at=long_ago)
    WebhookDelivery.objects.filter(pk=lost.pk).update(enqueued_at=long_ago)

    recovered, handed_out = webhook_deliveries_dispatch()

    assert recovered == 1
    assert sorted(handed_out) == sorted([stuck.pk, lost.pk])
    assert webhook_deliveries_dispatch()[1] == []  # not again within the grace
    for pk in handed_out:
        assert webhook_delivery_attempt(delivery_id=pk) == "succeeded"
    assert len(receiver.requests) == 2


def _at_once(fn, count=2):
    barrier, results = threading.Barrier(count), []

    def run():
        from django.db import connection

        try:
            barrier.wait()
            results.append(fn())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_attempt_once(workspace, receiver, endpoint, monkeypatch):
    # The hand-off to the broker is dropped: the two attempts below stand for one message
    # delivered to two workers, and a worker the test session runs must not take it first.
    monkeypatch.setattr("notifications.webhooks.services.enqueue_many", lambda ids: None)
    deliveries = [emit(workspace)[1] for _ in range(5)]

    for delivery in deliveries:
        outcomes = _at_once(lambda pk=delivery.pk: webhook_delivery_attempt(delivery_id=pk))
        assert sorted(outcomes) == ["skipped", "succeeded"]

    assert len(receiver.requests) == 5
    assert len({h["webhook-id"] for h, _ in receiver.requests}) == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_hand_each_delivery_out_once(workspace, receiver, endpoint, monkeypatch):
    # Every hand-off lost (what the sweep exists for), so a worker the session runs takes none.
    monkeypatch.setattr("notifications.webhooks.services.enqueue_many", lambda ids: None)
    ids = [emit(workspace)[1].pk for _ in range(40)]
    WebhookDelivery.objects.filter(pk__in=ids).update(enqueued_at=None)

    results = _at_once(lambda: webhook_deliveries_dispatch(batch=30)[1])

    handed = [pk for result in results for pk in result]
    assert sorted(handed) == sorted(ids)  # every one, none twice


def test_a_disabled_endpoint_row_is_not_counted_by_another_workspace(workspace, receiver, endpoint, outsider):
    ep, _ = endpoint
    assert not WebhookEndpoint.objects.filter(workspace__memberships__user=outsider).exists()
    assert webhook_emit(workspace_id=outsider.memberships.get().workspace_id, type="milestone.funded",
                        data={}) is None
    assert ep.deliveries.count() == 0


def test_emitting_costs_one_query_without_subscribers_and_the_same_for_one_or_many(
        workspace, make_endpoint, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with django_assert_num_queries(1):
        assert webhook_emit(workspace_id=workspace.pk, type="milestone.funded", data=DATA) is None
    make_endpoint("https://hooks.example.invalid/1")
    with CaptureQueriesContext(connection) as one:
        webhook_emit(workspace_id=workspace.pk, type="milestone.funded", data=DATA)
    for n in range(2, 6):
        make_endpoint(f"https://hooks.example.invalid/{n}")
    with CaptureQueriesContext(connection) as five:
        event = webhook_emit(workspace_id=workspace.pk, type="milestone.funded", data=DATA)

    assert event.deliveries.count() == 5
    assert len(five) == len(one)


def test_old_events_are_purged_with_their_log_once_nothing_waits(workspace, make_endpoint):
    make_endpoint("https://hooks.example.invalid/x")
    old_done, _ = emit(workspace)
    old_waiting, _ = emit(workspace)
    recent, _ = emit(workspace)
    WebhookDelivery.objects.filter(event=old_done).update(status=DeliveryStatus.FAILED)
    long_ago = timezone.now() - timedelta(days=31)
    type(old_done).objects.filter(pk__in=[old_done.pk, old_waiting.pk]).update(created_at=long_ago)

    assert webhook_events_purge() == 1

    assert set(type(old_done).objects.values_list("pk", flat=True)) == {old_waiting.pk, recent.pk}
    assert not WebhookDelivery.objects.filter(event_id=old_done.pk).exists()
