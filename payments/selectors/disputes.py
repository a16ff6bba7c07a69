"""The open disputes of a workspace, for its needs-attention list and its payments overview."""

from django.db.models import OuterRef, Subquery

from engagements.models import Milestone

from ..models import Dispute


def open_disputes_in(workspace_id):
    """The workspace's open disputes, as a queryset (`workspace_id`: an id, or an expression such
    as accounts.attention.workspace_param). Each open dispute's workspace is looked up through its
    milestone's key in a scalar subquery, not a join: the open disputes of every workspace are a
    few hundred rows, while joined, the planner hashed every milestone of the database (50,000 at
    the bench size) to find them."""
    workspace_of = (Milestone.objects.filter(pk=OuterRef("milestone_id")).order_by()
                    .values("engagement__workspace_id")[:1])
    return (Dispute.objects.filter(resolved_at__isnull=True).alias(dispute_workspace=Subquery(workspace_of))
            .filter(dispute_workspace=workspace_id))
