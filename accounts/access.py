"""The one way owner pages reach data: scoped by the request's workspace, 404 otherwise (and
every 404 a signed-in person gets is a denied access in the audit log: WorkspaceMiddleware)."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404


def workspace_required(view):
    """Owner-side pages: a signed-in member of a workspace, else login (anonymous) or 404
    (signed in but not an owner or manager anywhere, e.g. a freelancer)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.workspace is None:
            raise Http404("No workspace")
        return view(request, *args, **kwargs)

    return wrapper


def owner_required(view):
    """Like workspace_required, for actions only the workspace owner may take."""

    @wraps(view)
    @workspace_required
    def wrapper(request, *args, **kwargs):
        if request.membership.role != "owner":
            raise Http404("Owners only")
        return view(request, *args, **kwargs)

    return wrapper


def get_for_workspace(request_or_workspace, model_or_queryset, **lookup):
    """Fetch one object belonging to the current workspace, or raise 404.

    Models must have a `workspace` foreign key, or pass a queryset already filtered to a
    path that reaches it (e.g. `Reference.objects.filter(freelancer__workspace=...)`) and
    set `workspace_path`.
    """
    workspace = getattr(request_or_workspace, "workspace", request_or_workspace)
    if workspace is None:
        raise Http404
    path = lookup.pop("workspace_path", "workspace")
    qs = model_or_queryset
    if hasattr(qs, "_default_manager"):
        qs = qs._default_manager.all()
    # A miss is recorded in the audit log by WorkspaceMiddleware (every page's 404 is).
    return get_object_or_404(qs, **{path: workspace}, **lookup)
