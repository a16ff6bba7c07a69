"""The workspace's money overview: escrow held, reviews due with the days left, open disputes,
weeks waiting for approval, who is owed."""

from django.shortcuts import render

from accounts.access import workspace_required

from .. import selectors
from ._helpers import is_owner


@workspace_required
def overview(request):
    return render(request, "payments/overview.html", {
        "overview": selectors.workspace_overview(request.workspace, page=request.GET.get("page")),
        "window": selectors.review_window(request.workspace),
        "is_owner": is_owner(request),
    })
