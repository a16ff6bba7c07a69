"""Sending the webhook outbox, once per attempt, the way the email outbox sends
(notifications.services): a task claims a delivery (`pending → sending`, a conditional UPDATE
that only one caller wins), sends it outside any transaction, and records the attempt; only
the claim's holder may move the row on (its UPDATE names the claim's time, the lease). A
failed attempt is put back with the next backoff (about 5 s, 5 min, 30 min, 2 h, 5 h, then
every 10 h, ±10 % jitter) until three days have passed. A short wait rides in the broker as a
countdown; a long one is a deadline column the dispatch sweep (beat, every minute) hands out
when due. The sweep also hands out again what never reached the broker and takes back a claim
whose worker died. An endpoint whose attempts keep failing is turned off and its owners
emailed once.
"""

import logging
import random
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role

from ..links import absolute
from ..models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from ..services import QUEUED_GRACE, notify
from . import signing, targets

log = logging.getLogger(__name__)

S = DeliveryStatus
DELIVER_TASK = "notifications.tasks.webhook_deliver"
DELIVER_MANY_TASK = "notifications.tasks.webhook_deliver_many"
# Seconds between attempts, by step; the last repeats until the window closes.
SCHEDULE = (5, 300, 1800, 7200, 18000, 36000)
# Waits up to this long ride in the broker as a countdown (well inside its visibility
# timeout); longer ones wait in the database for the sweep.
SHORT_WAIT = 300
BATCH = 500


def retry_window():
    return timedelta(hours=settings.WEBHOOKS_RETRY_HOURS)


def sending_timeout():
    """A claim older than this belongs to a worker that died (a send takes at most the timeouts)."""
    return timedelta(seconds=settings.WEBHOOKS_CONNECT_TIMEOUT + settings.WEBHOOKS_TIMEOUT + 60)


def retry_delay(step):
    return SCHEDULE[min(step, len(SCHEDULE) - 1)] * random.uniform(0.9, 1.1)  # noqa: S311 (jitter, not a secret)


def webhook_countdown(delay):
    """How long a retry may wait in the broker: at most SHORT_WAIT (None: at once)."""
    return None if delay is None else min(delay, SHORT_WAIT)


def _enqueue(delivery_id, delay=None):
    try:
        current_app.tasks[DELIVER_TASK].apply_async((delivery_id,), countdown=webhook_countdown(delay))
    except Exception:  # broker down: the dispatch sweep hands it out after its grace
        log.warning("Could not enqueue webhook delivery %s; the dispatch sweep will", delivery_id, exc_info=True)


def enqueue_many(ids):
    """Hand deliveries to the broker: one message for the lot (a worker fans it out)."""
    ids = list(ids)
    if len(ids) == 1:
        _enqueue(ids[0])
    elif ids:
        try:
            current_app.tasks[DELIVER_MANY_TASK].delay(ids)
        except Exception:
            log.warning("Could not enqueue %s webhook deliveries; the dispatch sweep will", len(ids), exc_info=True)


def _claim(delivery_id, now):
    return WebhookDelivery.objects.filter(
        pk=delivery_id, status=S.PENDING, next_attempt_at__lte=now,
    ).update(status=S.SENDING, claimed_at=now, attempts=F("attempts") + 1) == 1


def webhook_delivery_attempt(*, delivery_id, now=None):
    """One attempt, if this caller wins the claim. Returns "succeeded", "retry", "failed" or
    "skipped" (not due, or someone else has it). Never raises for the target's sake."""
    now = now or timezone.now()
    if not _claim(delivery_id, now):
        return "skipped"
    delivery = WebhookDelivery.objects.select_related("event", "endpoint").get(pk=delivery_id)
    if not delivery.endpoint.active:
        WebhookDelivery.objects.filter(pk=delivery_id, status=S.SENDING, claimed_at=now).update(
            status=S.FAILED, next_attempt_at=None, claimed_at=None, last_error="The endpoint is turned off.")
        return "failed"
    answer = targets.post(delivery.endpoint.url, delivery.event.body.encode(),
                          signing.headers(delivery.endpoint, delivery.event, timezone.now()))
    with transaction.atomic():
        return _record(delivery, answer, claimed_at=now)


def _record(delivery, answer, *, claimed_at):
    done = timezone.now()
    WebhookAttempt.objects.create(
        delivery=delivery, number=delivery.attempts, at=done, status_code=answer.status_code,
        response_body=answer.body, duration_ms=answer.duration_ms, error=answer.error[:300],
    )
    mine = WebhookDelivery.objects.filter(pk=delivery.pk, status=S.SENDING, claimed_at=claimed_at)
    endpoint = WebhookEndpoint.objects.filter(pk=delivery.endpoint_id)
    if answer.ok:
        mine.update(status=S.SUCCEEDED, delivered_at=done, next_attempt_at=None, claimed_at=None,
                    last_status_code=answer.status_code, last_error="")
        endpoint.update(consecutive_failures=0, failing_since=None)
        return "succeeded"
    error = answer.error or f"Answered HTTP {answer.status_code}."
    endpoint.update(consecutive_failures=F("consecutive_failures") + 1,
                    failing_since=Coalesce(F("failing_since"), Value(done)))
    delay = retry_delay(delivery.retry_step)
    next_at = done + timedelta(seconds=delay)
    common = {"claimed_at": None, "last_status_code": answer.status_code, "last_error": error[:300]}
    if next_at <= delivery.give_up_at:
        short = delay <= SHORT_WAIT
        moved = mine.update(status=S.PENDING, next_attempt_at=next_at, retry_step=F("retry_step") + 1,
                            **({"enqueued_at": done} if short else {}), **common)
        if moved and short:
            transaction.on_commit(lambda: _enqueue(delivery.pk, delay=delay))
        outcome = "retry"
    else:
        mine.update(status=S.FAILED, next_attempt_at=None, **common)
        outcome = "failed"
    _disable_if_failing(delivery, gave_up=outcome == "failed", now=done)
    return outcome


def _disable_if_failing(delivery, *, gave_up, now):
    """Turn the endpoint off when its attempts failed WEBHOOKS_DISABLE_AFTER_FAILURES times in a
    row, or when a delivery is given up and nothing succeeded in its whole window (three days
    of failures). The conditional UPDATE (active → off) lets one caller through: one email."""
    too_many = Q(consecutive_failures__gte=settings.WEBHOOKS_DISABLE_AFTER_FAILURES)
    whole_window = Q(pk=None)
    if gave_up:
        # Every attempt failed since this delivery's first one in its window (three days ago).
        first = delivery.attempt_log.filter(at__gte=delivery.give_up_at - retry_window()).order_by("at").first()
        whole_window = Q(failing_since__lte=first.at) if first else whole_window
    candidates = WebhookEndpoint.objects.filter(too_many | whole_window, pk=delivery.endpoint_id, active=True)
    failures = candidates.values_list("consecutive_failures", flat=True).first()
    if failures is None:
        return
    if failures >= settings.WEBHOOKS_DISABLE_AFTER_FAILURES:
        reason = f"Turned off after {failures} failed attempts in a row."
    else:
        reason = f"Turned off: every attempt failed for {settings.WEBHOOKS_RETRY_HOURS} hours."
    if not candidates.update(active=False, disabled_at=now, disabled_reason=reason, updated_at=now):
        return
    WebhookDelivery.objects.filter(endpoint_id=delivery.endpoint_id, status=S.PENDING).update(
        status=S.FAILED, next_attempt_at=None, last_error="The endpoint was turned off.")
    _email_owners(WebhookEndpoint.objects.select_related("workspace").get(pk=delivery.endpoint_id), now)


def _email_owners(endpoint, now):
    owners = Membership.objects.filter(workspace_id=endpoint.workspace_id, role=Role.OWNER).select_related("user")
    page = absolute(reverse("webhooks:detail", kwargs={"pk": endpoint.pk}))
    for membership in owners:
        notify(
            kind="webhook_endpoint_disabled", recipient_email=membership.user.email, recipient_user=membership.user,
            workspace=endpoint.workspace, dedupe_key=f"webhook-disabled:{endpoint.pk}:{now.isoformat()}:"
                                                     f"{membership.user_id}",
            context={"endpoint_url": endpoint.url, "reason": endpoint.disabled_reason, "url": page,
                     "failures": endpoint.consecutive_failures},
        )


def webhook_events_purge(*, now=None, batch=1000):
    """Beat (hourly): delete events older than WEBHOOKS_RETENTION_DAYS, with their deliveries
    and attempt log, once none of their deliveries is still waiting or being sent."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.WEBHOOKS_RETENTION_DAYS)
    purged = 0
    while True:
        old = list(WebhookEvent.objects.filter(created_at__lt=cutoff)
                   .exclude(deliveries__status__in=[S.PENDING, S.SENDING])
                   .order_by("created_at").values_list("pk", flat=True)[:batch])
        if not old:
            return purged
        WebhookEvent.objects.filter(pk__in=old).delete()
        purged += len(old)


def webhook_deliveries_dispatch(*, now=None, batch=BATCH):
    """Beat: take back claims whose worker died, then hand out (in one broker message) the due
    deliveries not handed out within the grace. Two sweeps at once take disjoint rows (SKIP
    LOCKED), so each is handed out once. Returns (taken back, the ids handed out)."""
    now = now or timezone.now()
    with transaction.atomic():
        recovered = WebhookDelivery.objects.filter(status=S.SENDING, claimed_at__lt=now - sending_timeout()).update(
            status=S.PENDING, claimed_at=None, next_attempt_at=now, enqueued_at=None,
            last_error="The worker stopped while sending.")
        due = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(status=S.PENDING, next_attempt_at__lte=now)
            .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - QUEUED_GRACE))
            .order_by("next_attempt_at").values_list("pk", flat=True)[:batch]
        )
        if due:
            WebhookDelivery.objects.filter(pk__in=due).update(enqueued_at=now)
            transaction.on_commit(lambda: enqueue_many(due))
    return recovered, due
