"""The workspace's money overview: escrow held, reviews due with the days left, open disputes,
weeks waiting for approval, who is owed."""

from django.shortcuts import render
from django.utils import timezone

from accounts.access import workspace_required
from accounts.kept import kept_part

from .. import selectors
from ._helpers import is_owner


@workspace_required
def overview(request):
    now = timezone.now()
    # Kept until the workspace's rows change or the minute turns (accounts/kept.py).
    content = kept_part(request, "payments_overview", "payments/_overview_content.html", lambda: {
        "overview": selectors.workspace_overview(request.workspace, page=request.GET.get("page")),
        "window": selectors.review_window(request.workspace),
        "is_owner": is_owner(request),
    }, now=now)
    return render(request, "payments/overview.html", {"content": content})
