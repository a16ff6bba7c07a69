"""The search box in the header: the workspace's freelancers, engagements, milestones, briefs,
status updates and messages, grouped by kind."""

from django.shortcuts import render

from accounts.access import workspace_required

from ..selectors.search import KIND_LABELS, Scope, search


@workspace_required
def search_page(request):
    q = request.GET.get("q", "")[:200].strip()
    results = search(q=q, scope=Scope(workspace=request.workspace))
    groups = [(kind, KIND_LABELS[kind], hits) for kind, hits in results.items()]
    return render(request, "engagements/search.html", {"q": q, "groups": groups})
