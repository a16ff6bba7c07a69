"""OpenAPI annotations shared by every endpoint, so the schema says what the API really does.

- `errors(400, 404, ...)`: error responses for `@extend_schema(responses={..., **errors(...)})`.
- `IDEMPOTENCY_KEY`: the header parameter of money actions (`@idempotent` adds it by itself).
- `postprocess_errors`: a schema hook that adds what holds for whole classes of operations
  (401 wherever a token is required; 400/409/422 wherever an Idempotency-Key is; 400 on every
  paginated list), so a new
  endpoint cannot forget them.
- `postprocess_no_nul`: every free-text string says it cannot hold a NUL character, which the
  server refuses (DRF's CharField, and PostgreSQL text cannot store one).
- The `Token` security scheme for `WorkspaceTokenAuthentication`.
- `AutoSchema`: a read-only choice field over a model field that may be blank documents `""`
  among its values, as the response really holds it (DRF drops `allow_blank` from read-only
  model fields, so drf-spectacular would otherwise leave it out).
"""

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers

IDEMPOTENCY_HEADER = "Idempotency-Key"

ErrorSerializer = inline_serializer("Error", fields={"detail": serializers.CharField()})

_DESCRIPTIONS = {
    400: "Invalid input: DRF's field-error body, e.g. `{\"field\": [\"message\"]}` "
         "(`non_field_errors` when no single field is at fault).",
    401: "No valid token (`WWW-Authenticate: Token`).",
    404: "Not found, or not visible to this token.",
    409: "The action does not fit the current state (or the same Idempotency-Key is still in flight).",
    422: "The Idempotency-Key was already used with a different request.",
    429: "Too many requests; retry after the time in `Retry-After`.",
    502: "The payment provider (Stripe) refused the request or could not be reached; nothing was recorded.",
    503: "This server cannot do it now (e.g. a PDF without WeasyPrint's libraries); `detail` says what is missing.",
}


def error_response(code):
    if code == 400:
        return OpenApiResponse(OpenApiTypes.OBJECT, description=_DESCRIPTIONS[400])
    return OpenApiResponse(ErrorSerializer, description=_DESCRIPTIONS[code])


def errors(*codes):
    """`{code: OpenApiResponse}` for the error statuses an operation can answer."""
    return {code: error_response(code) for code in codes}


IDEMPOTENCY_KEY = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=True,
    description=(
        "1–255 printable ASCII characters chosen by the client (a UUID is ideal), scoped to the "
        "token's user and kept at least 24 h. A retry with the same key and the same request "
        "returns the first response and changes nothing (`Idempotent-Replayed: true`); the same "
        "key with a different request is 422; while the first is still running, 409."
    ),
    pattern=r"^[\x20-\x7e]{1,255}$",
)


class WorkspaceTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.WorkspaceTokenAuthentication"
    name = "Token"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>` from `POST /api/v1/auth/token/`; bound to one workspace and role.",
        }


def _error_ref(result, code):
    if code == 400:
        return {"description": _DESCRIPTIONS[400],
                "content": {"application/json": {"schema": {"type": "object", "additionalProperties": {}}}}}
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    })
    return {"description": _DESCRIPTIONS[code],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def postprocess_errors(result, generator, request, public):
    """Add the error responses that follow from an operation's security and headers."""
    global_security = result.get("security")
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            security = operation.get("security", global_security) or []
            if any(requirement for requirement in security) and not any(
                requirement == {} for requirement in security
            ):
                responses.setdefault("401", _error_ref(result, 401))
            headers = {p.get("name", "").lower() for p in operation.get("parameters", []) if p.get("in") == "header"}
            if IDEMPOTENCY_HEADER.lower() in headers:
                for code in (400, 409, 422):
                    responses.setdefault(str(code), _error_ref(result, code))
            query = {p.get("name") for p in operation.get("parameters", []) if p.get("in") == "query"}
            if "page" in query:  # a paginated list refuses a bad page or page_size (api/pagination.py)
                responses.setdefault("400", _error_ref(result, 400))
    return result


NO_NUL = r"^[^\x00]*$"


def _forbid_nul(schema):
    if not isinstance(schema, dict):
        return
    if schema.get("type") == "string" and not ({"format", "enum", "pattern"} & set(schema)):
        schema["pattern"] = NO_NUL
    for key in ("properties", "patternProperties"):
        for child in schema.get(key, {}).values():
            _forbid_nul(child)
    for key in ("items", "additionalProperties", "not"):
        _forbid_nul(schema.get(key))
    for key in ("allOf", "anyOf", "oneOf"):
        for child in schema.get(key, []):
            _forbid_nul(child)


def postprocess_no_nul(result, generator, request, public):
    """Free text in parameters and bodies refuses NUL (400); say so, so clients and fuzzers agree."""
    for schema in result.get("components", {}).get("schemas", {}).values():
        _forbid_nul(schema)
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if isinstance(operation, dict):
                for parameter in operation.get("parameters", []):
                    _forbid_nul(parameter.get("schema"))
    return result


def _model_field_may_be_blank(field):
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source:
        return False
    try:
        return model._meta.get_field(field.source).blank
    except FieldDoesNotExist:
        return False


class AutoSchema(openapi.AutoSchema):
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        # Found by schemathesis: a retainer period never disputed answered `"dispute_side": ""`,
        # which its enum did not allow.
        if (isinstance(field, serializers.ChoiceField) and field.read_only and not field.allow_blank
                and _model_field_may_be_blank(field)):
            field.allow_blank = True
        return super()._map_serializer_field(field, direction, bypass_extensions)
