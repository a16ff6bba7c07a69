"""A freelancer's reliability record: on-time updates and milestones, revision rounds, time to
first response and the reviews, across their engagements in this workspace."""

from django.shortcuts import render

from accounts.access import get_for_workspace
from freelancers.models import Freelancer

from .. import selectors
from ..models import Engagement
from ._helpers import owner_page


@owner_page
def reliability(request, freelancer_pk):
    freelancer = get_for_workspace(request, Freelancer, pk=freelancer_pk)
    engagements = (
        Engagement.objects.filter(freelancer=freelancer).select_related("review").order_by("-created_at")
    )
    return render(request, "engagements/reliability.html", {
        "freelancer": freelancer, "record": selectors.reliability_record(freelancer), "engagements": engagements,
    })

