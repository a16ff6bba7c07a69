"""The API's error conventions (API.md "Conventions"), applied to every endpoint.

- 400: DRF's field-error body; a Django `ValidationError` raised by a service becomes the same
  (`{"field": ["message"]}`, or `{"non_field_errors": [...]}` when it names no field).
- 401: no valid token (`WWW-Authenticate: Token`).
- 404: not found *or not yours*: a permission refusal is answered like a missing object, so ids
  leak nothing (never 403).
- 409 `{"detail"}`: the action does not fit the current state — `engagements.transitions.
  TransitionError` (and its `ConflictError` base), `freelancers.errors.TransitionError`,
  `Conflict` below, or any exception class with `http_status = 409`.
- 413 `{"detail"}`: a request body over `DATA_UPLOAD_MAX_MEMORY_SIZE`.
- 422 `{"detail"}`: an Idempotency-Key reused with a different request.

A domain exception may declare how the API answers it with a class attribute `http_status`
(400, 404, 409 or 422; e.g. `payments.errors`): 400 becomes a field error (on its `field`, if
it names one), 404 the plain "Not found.", 409/422 `{"detail": message}`. Domain apps stay free
of DRF; the API decides nothing about them beyond this mapping.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.audit import audit_record
from engagements.services import transitions
from engagements.services.transitions import TransitionError
from freelancers.errors import TransitionError as FreelancerTransitionError

from .models import ApiToken


class Conflict(Exception):
    """The action does not fit the current state of what it acts on (answered 409).

    Services may raise it (or define their own exception with `http_status = 409`); the
    message is shown to the client as `detail`, so write it for a person.
    """

    http_status = status.HTTP_409_CONFLICT
    default_detail = "This action does not fit the current state."

    def __init__(self, detail=None):
        self.detail = detail or self.default_detail
        super().__init__(self.detail)


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was already used with a different request."
    default_code = "idempotency_key_reused"


class IdempotencyKeyInFlight(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = (
        "A request with this Idempotency-Key is still being processed; retry in a moment."
    )
    default_code = "idempotency_key_in_flight"


class LockedOut(exceptions.Throttled):
    """django-axes locked this account + address out (429 with Retry-After, like a throttle)."""

    default_detail = "Too many failed attempts for this account from your address; try again later."
    default_code = "locked_out"


def _validation_body(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return {
            (api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field): messages
            for field, messages in exc.message_dict.items()
        }
    return {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}


# Conflicts the domain apps raise without declaring http_status.
CONFLICT_TYPES = tuple(
    cls for cls in (TransitionError, getattr(transitions, "ConflictError", None), FreelancerTransitionError)
    if cls is not None
)
DECLARED_STATUSES = {400, 404, 409, 422, 502}  # 502: the payment provider refused or was unreachable


def _declared_status(exc):
    if isinstance(exc, exceptions.APIException):
        return None
    code = getattr(type(exc), "http_status", None)
    if code in DECLARED_STATUSES:
        return code
    if isinstance(exc, CONFLICT_TYPES):
        return status.HTTP_409_CONFLICT
    return None


def _message(exc):
    return str(getattr(exc, "detail", None) or getattr(exc, "message", None) or exc)


def exception_handler(exc, context):
    """DRF's handler, plus the mappings above. Every error body is JSON naming the problem."""
    if isinstance(exc, RequestDataTooBig):
        # Django's own answer would be its HTML 400 page.
        return Response({"detail": f"The request body is larger than the {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} "
                                   "bytes this API accepts."}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    code = _declared_status(exc)
    if code == status.HTTP_400_BAD_REQUEST:
        exc = exceptions.ValidationError({getattr(exc, "field", None) or api_settings.NON_FIELD_ERRORS_KEY:
                                          [_message(exc)]})
    elif code == status.HTTP_404_NOT_FOUND:
        exc = exceptions.NotFound()
    elif code is not None:
        return Response({"detail": _message(exc)}, status=code)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_validation_body(exc))
    elif isinstance(exc, (DjangoPermissionDenied, exceptions.PermissionDenied)):
        # "Not yours" looks exactly like "not there".
        exc = exceptions.NotFound()
    if isinstance(exc, (exceptions.NotFound, Http404)):
        _audit_denied(context)
    return drf_exception_handler(exc, context)


def _audit_denied(context):
    """Every 404 a token gets (an object not in its scope, an endpoint its role may not use) is
    an access denied in the token's workspace's audit log."""
    request, view = context.get("request"), context.get("view")
    token = getattr(request, "auth", None)
    if not isinstance(token, ApiToken):
        return
    kwargs = getattr(view, "kwargs", {}) or {}
    audit_record(workspace=token.workspace_id, action="access_denied", actor=request.user,
                 object_type=type(view).__name__, object_id=str(kwargs.get("pk", "")),
                 detail=f"404 for {request.method} {request.path}")
