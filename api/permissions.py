"""Who may call what, and the one way API views reach data.

Every token is bound to one workspace and one role (`request.auth` is the `ApiToken`). The
permission classes answer 401 without a valid token and 404 (never 403) when the token's role
may not use the endpoint. Objects are fetched only through `scoped(...)` (or the
`ScopedQuerysetMixin` that applies it), so anything outside the token's workspace — or, for a
freelancer token, outside that freelancer's own records — is simply not found.
"""

from rest_framework import exceptions, permissions

from .models import ApiToken, TokenRole

STAFF_ROLES = frozenset({TokenRole.OWNER, TokenRole.MANAGER})


def token_of(request):
    token = getattr(request, "auth", None)
    return token if isinstance(token, ApiToken) else None


def is_freelancer(request):
    """The request's token is a freelancer's (the portal's side of the API)."""
    token = token_of(request)
    return token is not None and token.role == TokenRole.FREELANCER


class _RolePermission(permissions.BasePermission):
    roles: frozenset = frozenset()

    def has_permission(self, request, view):
        token = token_of(request)
        if token is None:
            return False  # DRF answers 401 with WWW-Authenticate: Token
        if request.method.upper() not in view.allowed_methods:
            # A method the operation does not have is wrong whoever asks: 405 with Allow, not
            # the 404 the role check gives (DRF checks permissions before the method).
            raise exceptions.MethodNotAllowed(request.method)
        if token.role not in self.roles:
            raise exceptions.NotFound()
        return True


class IsWorkspaceStaff(_RolePermission):
    """An owner or manager token: sees and acts on its whole workspace."""

    roles = STAFF_ROLES


class IsWorkspaceOwner(_RolePermission):
    """Only the workspace owner's token (e.g. removing teammates)."""

    roles = frozenset({TokenRole.OWNER})


class IsFreelancer(_RolePermission):
    """A freelancer token: sees only that freelancer's engagements and what hangs from them."""

    roles = frozenset({TokenRole.FREELANCER})


class IsWorkspaceMember(_RolePermission):
    """Any valid token (owner, manager or freelancer); scope the data with `scoped`."""

    roles = frozenset(TokenRole.values)


def scoped(request, queryset, *, workspace_path="workspace", freelancer_path=None):
    """`queryset` limited to what the request's token may see.

    `workspace_path` is the lookup from the model to its Workspace (`"engagement__workspace"`
    for a milestone). For a freelancer token the rows must also hang from that freelancer:
    pass `freelancer_path` (`"engagement__freelancer"`); without it a freelancer sees nothing.
    Without a token, nothing. Fetch single objects from the result (e.g. with
    `get_scoped_or_404`) so anything else is a 404.
    """
    token = token_of(request)
    if token is None:
        return queryset.none()
    queryset = queryset.filter(**{workspace_path: token.workspace_id})
    if token.role == TokenRole.FREELANCER:
        if freelancer_path is None:
            return queryset.none()
        queryset = queryset.filter(**{freelancer_path: token.freelancer_id})
    return queryset


def get_scoped_or_404(request, queryset, *, workspace_path="workspace", freelancer_path=None, **lookup):
    """The one object from `scoped(request, queryset)` matching `lookup` (a pk or another unique
    key), or 404. `get()`, not `first()`: no ORDER BY to build (a milestone's default ordering
    goes through its engagement's) for a lookup that names one row."""
    qs = scoped(request, queryset, workspace_path=workspace_path, freelancer_path=freelancer_path)
    try:
        return qs.get(**lookup)
    except queryset.model.DoesNotExist:
        raise exceptions.NotFound() from None  # recorded in the audit log by api.exceptions


class ScopedQuerysetMixin:
    """For generic views: `get_queryset()` returns `scoped(request, self.queryset)`.

    Set `scope_workspace_path` / `scope_freelancer_path` when the model reaches its workspace
    or freelancer through a relation. DRF's `get_object()` then answers 404 for other rows.
    """

    scope_workspace_path = "workspace"
    scope_freelancer_path = None

    def get_queryset(self):
        return scoped(
            self.request, super().get_queryset(),
            workspace_path=self.scope_workspace_path, freelancer_path=self.scope_freelancer_path,
        )
