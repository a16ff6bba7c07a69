"""`Idempotency-Key` for money actions (API.md "Conventions").

Opt a view handler in with `@idempotent`:

    class MilestoneReleaseView(APIView):
        permission_classes = [IsWorkspaceStaff]

        @extend_schema(request=ReleaseSerializer, responses={200: MilestoneSerializer, **errors(404)})
        @idempotent
        def post(self, request, pk):
            ...call the service, return a Response...

The header is then required (400 without it) and documented (the decorator adds the header
parameter, the schema hook the 400/409/422 responses). For each (user, key):

1. An in-flight marker row is inserted and committed on its own. The unique (user, key)
   constraint makes exactly one of two concurrent requests win; the other sees the marker and
   gets 409 (same request, still running) or 422 (a different request under the same key).
2. The action and the update that stores its response on the marker run in ONE transaction,
   so either both commit or neither does: a stored response always means the action happened,
   and an action that happened always has its response stored.
3. If the action raises (validation error, conflict, crash), the transaction rolls back and
   the marker is deleted, so a retry with the same key runs the action afresh.
4. A marker still in flight after `IN_FLIGHT_TIMEOUT` is taken to be abandoned (the process
   died between steps 1 and 2) and the next request with that key takes it over. `created_at`
   doubles as the lease: the takeover moves it, so a slow original can no longer store its
   response (its update matches nothing) and rolls its action back instead.
5. A later request with the same key and the same request (method, path, query, body) gets the
   stored status and body back, with `Idempotent-Replayed: true`, and nothing runs.

Requires autocommit between requests (ATOMIC_REQUESTS off, the default here): the marker must
be visible to other connections before the action starts. Keys are kept at least 24 h; the beat
task `api.tasks.purge_idempotency_keys` deletes them after 48 h.
"""

import hashlib
import json
from contextlib import nullcontext
from datetime import timedelta
from functools import wraps

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from accounts.bulk import insert_one

from .exceptions import IdempotencyKeyInFlight, IdempotencyKeyReused
from .models import IdempotencyKey
from .parsers import ensure_shallow
from .schema import IDEMPOTENCY_HEADER, IDEMPOTENCY_KEY

IN_FLIGHT_TIMEOUT = timedelta(minutes=5)
MAX_KEY_LENGTH = 255
REPLAYED_HEADER = "Idempotent-Replayed"


def read_key(request) -> str:
    """The request's Idempotency-Key, or a 400 naming the header."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    problem = None
    if key is None or key == "":
        problem = "This header is required for this action: 1–255 printable ASCII characters (e.g. a UUID)."
    elif len(key) > MAX_KEY_LENGTH:
        problem = f"Use at most {MAX_KEY_LENGTH} characters."
    elif not all(" " <= ch <= "~" for ch in key):
        problem = "Use printable ASCII characters only."
    if problem:
        raise exceptions.ValidationError({IDEMPOTENCY_HEADER: [problem]})
    return key


def _canonical(value):
    if isinstance(value, QueryDict):
        return {k: [_canonical(v) for v in vs] for k, vs in sorted(value.lists())}
    if isinstance(value, UploadedFile):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return {"file": value.name, "size": value.size, "sha256": digest.hexdigest()}
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    return value


def request_fingerprint(request) -> str:
    """A hash of what the action depends on: the token's workspace, method, path, query and
    the parsed body (so key order and whitespace in the JSON do not matter). The workspace is
    in it so a user with tokens for two workspaces never gets one workspace's answer replayed
    to a request made in the other. Data nested deeper than the parser allows (a view with its
    own parsers) is a 400 here too: canonicalising it walks it recursively."""
    payload = {
        "workspace": getattr(getattr(request, "auth", None), "workspace_id", None),
        "method": request.method,
        "path": request.path,
        "query": _canonical(request.query_params),
        "body": _canonical(ensure_shallow(request.data)),
    }
    encoded = json.dumps(payload, cls=JSONEncoder, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def _replay(record):
    return Response(record.response_body, status=record.response_status, headers={REPLAYED_HEADER: "true"})


def _begin(*, user, key, method, path, fingerprint):
    """Insert the in-flight marker (committed on its own). Returns (marker, None) when this
    request is to run the action, or (None, stored) when it is to replay `stored`."""
    for _ in range(3):
        now = timezone.now()
        try:
            with _own_statement():
                marker = _insert_marker(user=user, key=key, method=method, path=path[:512],
                                        request_hash=fingerprint, created_at=now)
            return marker, None
        except IntegrityError:
            existing = IdempotencyKey.objects.filter(user=user, key=key).first()
        if existing is None:
            continue  # deleted after a failed action between our insert and our read: retry
        if existing.request_hash != fingerprint:
            raise IdempotencyKeyReused()
        if existing.response_status is not None:
            return None, existing
        if existing.created_at > now - IN_FLIGHT_TIMEOUT:
            raise IdempotencyKeyInFlight()
        # Abandoned: take it over by moving the lease, if nobody else just did.
        taken = IdempotencyKey.objects.filter(
            pk=existing.pk, response_status__isnull=True, created_at=existing.created_at
        ).update(created_at=now)
        if taken:
            existing.created_at = now
            return existing, None
        raise IdempotencyKeyInFlight()
    raise IdempotencyKeyInFlight()


def _own_statement():
    """Where the marker's INSERT runs: in autocommit (a request) it commits on its own without
    BEGIN and COMMIT around it; inside a transaction (a test's), in a savepoint so a duplicate
    key leaves the transaction usable."""
    if transaction.get_connection().in_atomic_block:
        return transaction.atomic()
    return nullcontext()


def _insert_marker(**values):
    """The marker, in flight: `IdempotencyKey.objects.create(**values)` through
    `accounts.bulk.insert_one` (every money action inserts one; its INSERT is built once)."""
    marker = IdempotencyKey(**values)
    insert_one(marker)
    return marker


def _ours(marker):
    return IdempotencyKey.objects.filter(pk=marker.pk, response_status__isnull=True, created_at=marker.created_at)


def _store(marker, response):
    """Store the answer on our marker, unless it was taken over as abandoned (then 0): the
    `_ours(marker).update(...)` of the answer, written out like the marker's insert. The body is
    encoded once, by DRF's encoder (what the client was sent), and kept as that JSON."""
    data = getattr(response, "data", None)
    connection = transaction.get_connection()
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE api_idempotencykey SET response_status = %s, response_body = %s, completed_at = %s "
            "WHERE id = %s AND response_status IS NULL AND created_at = %s",
            [response.status_code, None if data is None else json.dumps(data, cls=JSONEncoder),
             adapt(timezone.now()), marker.pk, adapt(marker.created_at)])
        return cursor.rowcount


def idempotent(handler):
    """Make a DRF view handler (`def post(self, request, ...)` or an `@action`) idempotent
    under the `Idempotency-Key` header. See the module docstring for the guarantees."""

    @wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        if request.user is None or not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()  # keys are scoped to a user
        key = read_key(request)
        marker, stored = _begin(
            user=request.user, key=key, method=request.method, path=request.path,
            fingerprint=request_fingerprint(request),
        )
        if stored is not None:
            return _replay(stored)
        try:
            with transaction.atomic():
                response = handler(view, request, *args, **kwargs)
                if response.status_code >= 500:
                    raise _NotStored(response)
                if _store(marker, response) != 1:
                    # Our marker was taken over as abandoned: undo our action, theirs counts.
                    raise IdempotencyKeyInFlight()
        except _NotStored as returned:
            _ours(marker).delete()
            return returned.response
        except BaseException:
            _ours(marker).delete()
            raise
        return response

    wrapper.idempotent = True
    return extend_schema(parameters=[IDEMPOTENCY_KEY])(wrapper)


class _NotStored(Exception):
    """A server error the handler returned (not raised): roll back, keep no marker."""

    def __init__(self, response):
        self.response = response
        super().__init__(response.status_code)
