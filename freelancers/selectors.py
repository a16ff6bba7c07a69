"""Reads that freelancer pages (and higher apps choosing backups) share.

Engagements sit above this app, so it never imports them: it follows the reverse relation
`Freelancer.engagements` by name only.
"""

from django.db.models import Count, Max, Q

from .models import Freelancer, FreelancerStatus


def bench(workspace):
    """Approved freelancers, not marked do-not-hire and not on an active engagement.

    Derived, never stored (DESIGN.md). Annotated for lists with how many engagements each has
    completed and when the last one was created.
    """
    return (
        Freelancer.objects.filter(workspace=workspace, status=FreelancerStatus.APPROVED, do_not_hire=False)
        # exclude() across a multi-valued relation becomes a NOT IN subquery: a freelancer with
        # any active engagement drops out, one with only finished engagements stays.
        .exclude(engagements__status="active")
        .annotate(
            completed_engagements=Count("engagements", filter=Q(engagements__status="completed"), distinct=True),
            last_engagement_at=Max("engagements__created_at"),
        )
        .order_by("name")
    )
