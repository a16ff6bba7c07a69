"""drf-spectacular's settings for the OpenAPI document of the REST API (kept out of settings.py
so it stays readable)."""

SPECTACULAR_SETTINGS = {
    "TITLE": "Outsourcing API",
    "DESCRIPTION": (
        "REST API v1 for workspaces, freelancers, engagements and milestone payments with held funds. "
        "Get a token with `POST /api/v1/auth/token/` and send it as `Authorization: Token <key>`. "
        "Lists are paginated (`page`, `page_size` ≤ 100); errors are JSON: 400 field errors, "
        "401 without a valid token, 404 not found or not yours, 409 when an action does not fit "
        "the current state, 422 when an Idempotency-Key is reused with a different request."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.postprocess_errors",
        "api.schema.postprocess_no_nul",
    ],
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": False, "displayOperationId": True},
    # Choice sets used by several components get one stable name each (instead of a hash).
    "ENUM_NAME_OVERRIDES": {
        "FreelancerStatusEnum": "freelancers.models.FreelancerStatus",
        "ReferenceStatusEnum": "freelancers.models.ReferenceStatus",
        "InterviewKindEnum": "freelancers.models.InterviewKind",
        "InterviewOutcomeEnum": "freelancers.models.InterviewOutcome",
        "EngagementKindEnum": "engagements.models.EngagementKind",
        "MilestoneStateEnum": "engagements.models.MilestoneState",
        "SignerRoleEnum": "engagements.models.SignerSide",
        "RoleEnum": "api.models.TokenRole",
    },
}
