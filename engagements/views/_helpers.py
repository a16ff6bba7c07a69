"""What every owner page of engagements shares: the decorator that admits a member of the
workspace and renders in their time zone, and the fetchers that answer 404 for anything outside
the request's workspace (`get_for_workspace`)."""

from functools import wraps

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from accounts.access import get_for_workspace, workspace_required

from ..models import Engagement


def owner_page(view):
    """workspace_required, and the page rendered in the viewer's time zone."""

    @wraps(view)
    @workspace_required
    def wrapper(request, *args, **kwargs):
        tz = getattr(request.user, "tzinfo", None) or request.workspace.tzinfo
        with timezone.override(tz):
            return view(request, *args, **kwargs)

    return wrapper


def engagement_for(request, pk):
    return get_for_workspace(request, Engagement.objects.select_related("freelancer", "workspace"), pk=pk)


def child_of(request, model, engagement, pk, **extra):
    """An object hanging from the engagement, scoped through the engagement's workspace."""
    return get_for_workspace(request, model.objects.filter(engagement=engagement, **extra), pk=pk,
                             workspace_path="engagement__workspace")


def conflict(request, exc, to):
    messages.error(request, str(exc))
    return redirect(to)


def engagement_url(engagement):
    return reverse("engagements:detail", kwargs={"pk": engagement.pk})

