"""The fake's memory: every object by id, which account it belongs to (`None` is the platform,
an `acct_…` id a connected account, seen only with that `Stripe-Account` header), the Event log
and the outbox of events not yet delivered. Errors carry Stripe's JSON error shape."""

import copy
import secrets
import string
import threading
import time

from stripe._api_version import _ApiVersion

from .shapes import nullable_keys

_ALPHABET = string.ascii_letters + string.digits


class StripeError(Exception):
    """An API error: rendered as `{"error": {type, code, message, param, ...}}` with `status`."""

    def __init__(self, status, type_, message, *, code=None, param=None, **extra):
        super().__init__(message)
        self.status = status
        self.body = {"type": type_, "message": message, **extra}
        if code:
            self.body["code"] = code
            self.body["doc_url"] = f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"
        if param:
            self.body["param"] = param

    def payload(self):
        return {"error": self.body}


def invalid(message, *, param=None, code=None, **extra):
    if code is None and param is not None:
        code = "parameter_invalid"
    return StripeError(400, "invalid_request_error", message, param=param, code=code, **extra)


def missing(kind, object_id, param="id"):
    return StripeError(404, "invalid_request_error", f"No such {kind}: '{object_id}'",
                       code="resource_missing", param=param)


class Store:
    """Objects, scoping, lists and events. The domain mixins build on it."""

    api_version = _ApiVersion.CURRENT

    def __init__(self, *, webhook_secret="whsec_fake_platform", connect_webhook_secret="whsec_fake_connect",
                 base_url="https://stripe-fake.invalid", clock=time.time):
        self.webhook_secret = webhook_secret
        self.connect_webhook_secret = connect_webhook_secret
        self.base_url = base_url.rstrip("/")
        self.clock = clock
        self.offset = 0  # seconds added by advance()
        self.lock = threading.RLock()
        self.objects = {}  # id → object (the stored dict; responses are copies)
        self.owner = {}  # id → None (platform) or the connected account's id
        self.order = {}  # id → a counter, so lists are newest first even within one second
        self.outbox = []  # events not yet handed out for delivery
        self.by_kind = {}  # (object name, account) → ids, so lists need not scan every object
        self._counter = 0
        self.request_context = None  # {"id": req_…, "idempotency_key": …} while an API call runs

    # ids, time, storage ------------------------------------------------------------------
    def now(self):
        return int(self.clock()) + self.offset

    def advance(self, *, days=0, seconds=0):
        """Move the fake's clock on (pending funds become available when their day comes; call
        expire_due_sessions() for Checkout's expiry)."""
        self.offset += days * 86_400 + seconds

    def new_id(self, prefix, length=24):
        body = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        return f"{prefix}_1{body}"

    def put(self, obj, account=None):
        self._counter += 1
        self.objects[obj["id"]] = obj
        self.owner[obj["id"]] = account
        self.order[obj["id"]] = self._counter
        self.by_kind.setdefault((obj["object"], account), []).append(obj["id"])
        return obj

    def base(self, prefix, object_name, account=None, *, bare=False, **fields):
        """A new stored object; `bare` for the kinds without metadata (balance transactions)."""
        obj = {"id": self.new_id(prefix), "object": object_name, "created": self.now(), "livemode": False}
        if not bare:
            obj["metadata"] = {}
        obj.update(fields)
        # The real API lists every key; those the fake does not model are null where Stripe allows it.
        for key in nullable_keys(object_name):
            obj.setdefault(key, None)
        return self.put(obj, account)

    def get(self, object_id, kind, account=None, *, param="id"):
        """The object when it exists and is visible from `account` (the Stripe-Account header)."""
        obj = self.objects.get(object_id)
        if obj is None or obj["object"] != kind or self.owner[object_id] != account:
            raise missing(kind, object_id, param)
        return obj

    def view(self, obj, expand=(), account=None):
        """A response copy of `obj`, with `expand` paths (`a.b`, `data.x`) replaced by objects;
        a path that names no expandable id is refused as Stripe refuses it."""
        out = copy.deepcopy(obj)
        for path in expand or ():
            out = self._expand(out, path.split("."), account, path)
        return out

    def _expand(self, node, parts, account, path):
        if isinstance(node, list):
            return [self._expand(item, parts, account, path) for item in node]
        head, rest = parts[0], parts[1:]
        if not isinstance(node, dict) or head not in node:
            raise invalid(f"This property cannot be expanded ({path}).", param="expand")
        value = node[head]
        if value is None:
            return node
        if isinstance(value, str):
            found = self.objects.get(value)
            if found is None or (self.owner[value] != account and found["object"] != "account"):
                raise invalid(f"This property cannot be expanded ({path}).", param="expand")
            value = copy.deepcopy(self.objects[value])
        elif not rest:
            raise invalid(f"This property cannot be expanded ({path}).", param="expand")
        node[head] = self._expand(value, rest, account, path) if rest else value
        return node

    # lists ------------------------------------------------------------------------------
    def select(self, kind, account, match=None):
        found = [self.objects[i] for i in self.by_kind.get((kind, account), ())]
        found = [o for o in found if match is None or match(o)]
        return sorted(found, key=lambda o: (o.get("created", 0), self.order[o["id"]]), reverse=True)

    def page(self, items, params, url, account=None):
        """Stripe's cursor pagination: newest first, `limit` (1–100, default 10), `starting_after`
        / `ending_before` an id of the list."""
        limit = params.get("limit", 10)
        if not 1 <= limit <= 100:
            raise invalid("Invalid limit: must be between 1 and 100", param="limit")
        ids = [o["id"] for o in items]
        if params.get("starting_after"):
            cursor = self._cursor(ids, params["starting_after"], "starting_after")
            window = items[cursor + 1:cursor + 1 + limit]
            has_more = cursor + 1 + limit < len(items)
        elif params.get("ending_before"):
            cursor = self._cursor(ids, params["ending_before"], "ending_before")
            window = items[max(0, cursor - limit):cursor]
            has_more = cursor - limit > 0
        else:
            window, has_more = items[:limit], len(items) > limit
        data = [self.view(o, _sub_expand(params.get("expand")), account) for o in window]
        return {"object": "list", "data": data, "has_more": has_more, "url": url}

    def _cursor(self, ids, cursor, param):
        if cursor not in ids:
            raise missing("object", cursor, param)
        return ids.index(cursor)

    # events -----------------------------------------------------------------------------
    def emit(self, type_, obj, *, account=None, previous=None):
        """Record an Event with a snapshot of `obj`; `account` makes it a Connect event."""
        data = {"object": copy.deepcopy(obj)}
        if previous:
            data["previous_attributes"] = copy.deepcopy(previous)
        event = {"id": self.new_id("evt"), "object": "event", "api_version": self.api_version,
                 "created": self.now(), "data": data, "livemode": False, "pending_webhooks": 1,
                 "request": copy.deepcopy(self.request_context) or {"id": None, "idempotency_key": None},
                 "type": type_}
        if account:
            event["account"] = account
        self.put(event, account)
        self.outbox.append(event)
        return event


def _sub_expand(expand):
    return [p[len("data."):] for p in expand or () if p.startswith("data.")]


def created_filter(value):
    """`created` as an int or {gt, gte, lt, lte} → a predicate on a timestamp."""
    if value is None:
        return lambda ts: True
    if not isinstance(value, dict):
        return lambda ts: ts == int(value)
    bounds = {k: int(v) for k, v in value.items()}
    return lambda ts: (ts > bounds.get("gt", ts - 1) and ts >= bounds.get("gte", ts)
                       and ts < bounds.get("lt", ts + 1) and ts <= bounds.get("lte", ts))
