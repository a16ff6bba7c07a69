"""The one way owner pages reach data: scoped by the request's workspace, 404 otherwise."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404

from .audit import audit_record


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
    try:
        return get_object_or_404(qs, **{path: workspace}, **lookup)
    except Http404:
        # Someone signed in asked for an object their workspace does not hold (another
        # workspace's id, or none at all): the owner sees the attempt in the audit log.
        user = getattr(request_or_workspace, "user", None)
        if user is not None and user.is_authenticated:
            audit_record(workspace=workspace, action="access_denied", actor=user,
                         object_type=qs.model._meta.model_name, object_id=lookup.get("pk", ""),
                         detail=f"Not found in this workspace: {request_or_workspace.path}")
        raise
