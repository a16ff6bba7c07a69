"""Webhook actions: an owner's endpoints (create, change, rotate the secret, delete), the emit
every higher app calls inside its action's transaction, the test event and redelivery.
Sending, retries and the sweep are in `delivery.py`."""

import json
import uuid
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts import crypto

from ..models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent
from . import signing, targets
from .delivery import enqueue_many, retry_window
from .events import EVENT_TYPES, TEST_EVENT

# After a rotation the old secret keeps signing this long, so receivers can switch over.
PREVIOUS_SECRET_GRACE = timedelta(hours=24)
MAX_ENDPOINTS = 20


class WebhookConflict(Exception):
    """The action does not fit the endpoint's or delivery's state (409 in the API)."""

    http_status = 409


def _clean(*, url, events):
    errors = {}
    try:
        targets.check_url(url)
    except targets.TargetRefused as exc:
        errors["url"] = [str(exc)]
    unknown = sorted(set(events) - set(EVENT_TYPES))
    if unknown:
        errors["events"] = [f"Unknown event type: {', '.join(unknown)}."]
    elif not events:
        errors["events"] = ["Choose at least one event type."]
    if errors:
        raise ValidationError(errors)
    return [e for e in EVENT_TYPES if e in set(events)]  # the catalogue's order, once each


@sensitive_variables("secret")
def webhook_endpoint_create(*, workspace, actor, url, events, description=""):
    """A new endpoint and its signing secret. Returns (endpoint, secret): the plaintext is for
    showing once; only its encrypted form is stored."""
    events = _clean(url=url, events=events)
    if WebhookEndpoint.objects.filter(workspace=workspace).count() >= MAX_ENDPOINTS:
        raise WebhookConflict(f"A workspace has at most {MAX_ENDPOINTS} webhook endpoints; delete one first.")
    secret, encrypted = signing.new_secret()
    endpoint = WebhookEndpoint.objects.create(
        workspace=workspace, url=url, events=events, description=description.strip(),
        secret_encrypted=encrypted, created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    return endpoint, secret


def webhook_endpoint_update(*, endpoint, actor, url=None, events=None, description=None, active=None):
    """Change what an endpoint receives, where, or whether. Turning it on again clears the
    failure record, so it gets a fresh start."""
    now = timezone.now()
    fields = {"updated_at": now}
    if url is not None or events is not None:
        fields["events"] = _clean(url=endpoint.url if url is None else url,
                                  events=endpoint.events if events is None else events)
        if url is not None:
            fields["url"] = url
    if description is not None:
        fields["description"] = description.strip()
    if active is not None and active != endpoint.active:
        fields.update(active=active, disabled_at=None if active else now,
                      disabled_reason="" if active else "Turned off by its owner.",
                      consecutive_failures=0, failing_since=None)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(**fields)
    endpoint.refresh_from_db()
    return endpoint


@sensitive_variables("secret")
def webhook_endpoint_rotate_secret(*, endpoint, actor, now=None):
    """A new signing secret (returned once); the current one keeps signing beside it for 24 h."""
    now = now or timezone.now()
    secret, encrypted = signing.new_secret()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        secret_encrypted=encrypted, previous_secret_encrypted=endpoint.secret_encrypted,
        previous_secret_until=now + PREVIOUS_SECRET_GRACE, secret_rotated_at=now, updated_at=now,
    )
    endpoint.refresh_from_db()
    return secret


def webhook_endpoint_delete(*, endpoint, actor):
    """The endpoint goes, with its delivery log; nothing more is sent to it."""
    endpoint.delete()


def webhook_secrets_reencrypt():
    """Re-encrypt every stored signing secret under the current (first) Fernet key (manage.py
    rotate_fernet_keys). Conditional per row: a secret rotated meanwhile is left alone."""
    done = 0
    rows = WebhookEndpoint.objects.values_list("pk", "secret_encrypted", "previous_secret_encrypted")
    for pk, current, previous in rows.iterator():
        unchanged = WebhookEndpoint.objects.filter(pk=pk, secret_encrypted=current, previous_secret_encrypted=previous)
        done += unchanged.update(secret_encrypted=crypto.rotate(current),
                                 previous_secret_encrypted=crypto.rotate(previous) if previous else "")
    return done


def _body(type_, data, at):
    payload = {"type": type_, "timestamp": at.isoformat().replace("+00:00", "Z"), "data": data}
    return json.dumps(payload, cls=DjangoJSONEncoder, separators=(",", ":"), sort_keys=True)


def _outbox(*, workspace_id, type_, data, endpoint_ids, at):
    with transaction.atomic():
        event = WebhookEvent.objects.create(workspace_id=workspace_id, uid=f"msg_{uuid.uuid4().hex}", type=type_,
                                            body=_body(type_, {"workspace": workspace_id, **data}, at),
                                            created_at=at)
        deliveries = WebhookDelivery.objects.bulk_create([
            WebhookDelivery(event=event, endpoint_id=pk, next_attempt_at=at, give_up_at=at + retry_window(),
                            enqueued_at=at, created_at=at)
            for pk in endpoint_ids
        ])
    ids = [d.pk for d in deliveries]
    transaction.on_commit(lambda: enqueue_many(ids))
    return event


def webhook_emit(*, workspace_id, type, data, at=None, endpoints=None):  # noqa: A002 (the event's "type", as in the payload)
    """Emit a domain event to the workspace's active endpoints subscribed to `type`, in the
    caller's transaction (a rollback emits nothing); sent after commit. `workspace_id` may be an
    expression (a subquery from the emitting row), so an action with no endpoints pays one
    indexed query; or none, when the caller's own statement read them in the same transaction
    (`endpoints`: `active_endpoints_from` of `ACTIVE_ENDPOINTS_SQL`). Returns the event, or None
    when nobody subscribed."""
    if type not in EVENT_TYPES:
        raise ValueError(f"{type!r} is not in the webhook event catalogue")
    if endpoints is None and isinstance(workspace_id, int):
        endpoints = _active_endpoints(workspace_id)
    elif endpoints is None:
        endpoints = WebhookEndpoint.objects.filter(workspace_id=workspace_id, active=True).values_list(
            "pk", "workspace_id", "events")
    wanted = [(pk, ws) for pk, ws, events in endpoints if type in events]
    if not wanted:
        return None
    return _outbox(workspace_id=wanted[0][1], type_=type, data=data, endpoint_ids=[pk for pk, _ in wanted],
                   at=at or timezone.now())


def _active_endpoints(workspace_id):
    """[(pk, workspace id, events)] of the workspace's active endpoints: the same read as the
    `values_list` above, written out, since nearly every action of every app asks it (building
    it with the ORM cost a release more CPU than PostgreSQL spends answering it)."""
    connection = transaction.get_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, workspace_id, events FROM notifications_webhookendpoint "
                       "WHERE workspace_id = %s AND active = %s", [workspace_id, True])
        rows = cursor.fetchall()
    events = WebhookEndpoint._meta.get_field("events")
    return [(pk, ws, events.from_db_value(value, None, connection)) for pk, ws, value in rows]


# The workspace's active endpoints as one JSON text, for a statement of the caller's to carry as a
# column (the workspace as an SQL expression of that statement): a milestone's state change reads
# them in its own UPDATE … RETURNING instead of a SELECT of its own (one round trip fewer for every
# money action). `active_endpoints_from` turns the column into `_active_endpoints`' answer.
ACTIVE_ENDPOINTS_SQL = ("(SELECT COALESCE(json_agg(json_build_array(w.id, w.workspace_id, w.events)), '[]')::text "
                        "FROM notifications_webhookendpoint w WHERE w.workspace_id = {workspace} AND w.active)")


def active_endpoints_from(column):
    """[(pk, workspace id, events)] from an `ACTIVE_ENDPOINTS_SQL` column."""
    return [(pk, ws, events) for pk, ws, events in json.loads(column)]


def workspaces_listening(type, *, workspace_ids):  # noqa: A002 (as in webhook_emit)
    """Of `workspace_ids` (ids or a subquery), those with an active endpoint subscribed to
    `type`: one query, so a batch emits nothing more where nobody listens."""
    endpoints = WebhookEndpoint.objects.filter(workspace_id__in=workspace_ids, active=True).values_list(
        "workspace_id", "events")
    return {ws for ws, events in endpoints if type in events}


def webhook_test_send(*, endpoint, actor):
    """Send a `webhook.test` event to this endpoint only (signed and logged like any other)."""
    if not endpoint.active:
        raise WebhookConflict("Turn the endpoint on before sending it a test event.")
    data = {"endpoint": endpoint.pk, "workspace": endpoint.workspace.slug,
            "message": "A test event: your endpoint received and verified it."}
    return _outbox(workspace_id=endpoint.workspace_id, type_=TEST_EVENT, data=data, endpoint_ids=[endpoint.pk],
                   at=timezone.now())


def webhook_delivery_redeliver(*, delivery, actor, now=None):
    """Send the same message (same `webhook-id`, new timestamp and signature) again now, with a
    fresh retry schedule."""
    now = now or timezone.now()
    if not delivery.endpoint.active:
        raise WebhookConflict("Turn the endpoint on before redelivering to it.")
    moved = WebhookDelivery.objects.filter(pk=delivery.pk).exclude(status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.PENDING, next_attempt_at=now, retry_step=0, give_up_at=now + retry_window(),
        claimed_at=None, enqueued_at=now,
    )
    if not moved:
        raise WebhookConflict("This delivery is being sent right now.")
    transaction.on_commit(lambda: enqueue_many([delivery.pk]))
    delivery.refresh_from_db()
    return delivery
