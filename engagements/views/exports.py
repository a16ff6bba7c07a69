"""The workspace's engagements and milestones as CSV (links on the engagements list)."""

from accounts.access import workspace_required

from ..exports import engagements_csv, milestones_csv


@workspace_required
def engagement_export(request):
    return engagements_csv(request.workspace)


@workspace_required
def milestone_export(request):
    return milestones_csv(request.workspace)
