"""REST API v1, mounted at /api/v1/.

How a later issue adds its endpoints (API.md lists them):

1. Write `api/<domain>.py` holding that domain's serializers and views, ending with a
   module-level `urlpatterns = [path("engagements/", ..., name=...), ...]`; a domain that
   outgrows one module becomes a package like `api/engagements/` or `api/payments/`
   (`__init__.py` holds its `urlpatterns`).
   Views call the domain's service functions (the same ones its web pages call), never write
   models directly.
2. Add ONE line to `DOMAINS` below: `path("", include("api.<domain>"))`.

Conventions every view follows (see api/permissions.py, api/exceptions.py, api/schema.py):
- `permission_classes = [IsWorkspaceStaff]` (owner or manager), `[IsWorkspaceOwner]`,
  `[IsFreelancer]` or `[IsWorkspaceMember]`; the wrong role gets 404, no token 401.
- Reach rows only through `scoped(request, Model.objects...)` / `get_scoped_or_404(...)` or
  `ScopedQuerysetMixin`, so other workspaces' (and, for freelancer tokens, other freelancers')
  rows are 404.
- Services raise Django `ValidationError` (400 with field errors), `Conflict` or
  `TransitionError` (409); lists paginate by themselves ({count, next, previous, results}).
- Money actions: subclass `api.payments.actions.MoneyAction` (the Idempotency-Key through
  `@idempotent`, one service call, the answer) and document it with `money_action(...)`.
- Annotate each handler with `@extend_schema(request=..., responses={2xx: ..., **errors(...)})`
  so the schema (fuzzed in CI by scripts/fuzz-api) tells the truth; 401 and the idempotency
  errors are added by the schema hook.
"""

from django.urls import include, path, re_path

from . import docs, views

app_name = "api"

DOMAINS = [
    path("", include("api.auth")),
    path("", include("api.notifications")),
    path("", include("api.payments.rail")),  # before freelancers: its catch-all of unknown ids
    path("", include("api.freelancers")),
    path("", include("api.payments")),
    path("", include("api.invoices")),
    path("", include("api.engagements")),
    path("", include("api.portal")),
    path("", include("api.transfer")),
    path("", include("api.audit")),
    path("", include("api.inbox")),
    path("", include("api.search")),
    path("", include("api.calendar")),
    path("", include("api.dashboard")),
    path("", include("api.webhooks")),
]

urlpatterns = [
    *DOMAINS,
    path("schema/", docs.schema_view, name="schema"),
    path("docs/", docs.docs_view, name="docs"),
    # Anything else under /api/v1/ is a JSON 404, not the HTML page.
    re_path(r"^[\s\S]*$", views.not_found),
]
