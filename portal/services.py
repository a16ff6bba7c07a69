"""Portal actions of the portal's own (the profile). Everything the freelancer does on an
engagement goes through the engagements and payments actions, the ones the owner pages and the
API call; invitations are in portal/invitations.py.
"""

from django.db import transaction

from engagements import services as engagement_services
from engagements.models import EngagementStatus
from freelancers import services as freelancer_services

from .access import freelancer_profiles

# Engagements whose deadlines follow the freelancer's time zone right now.
TIMED = [EngagementStatus.OFFERED, EngagementStatus.ACTIVE, EngagementStatus.PAUSED]


@transaction.atomic
def portal_profile_save(*, user, full_name, timezone_name):
    """Name and time zone of the person. The time zone is theirs in every workspace: each
    freelancer profile follows it, and the deadlines of their running engagements are
    recomputed in it."""
    user.full_name = full_name.strip()
    user.timezone = timezone_name
    user.full_clean(exclude=["password"])
    user.save(update_fields=["full_name", "timezone"])
    for freelancer in freelancer_profiles(user):
        if freelancer.timezone == timezone_name:
            continue
        freelancer_services.freelancer_update(freelancer=freelancer, actor=user, timezone_name=timezone_name)
        for engagement in freelancer.engagements.filter(status__in=TIMED).select_related("freelancer", "workspace"):
            engagement_services.engagement_deadlines_recompute(engagement=engagement)
            engagement_services.milestones_due_recompute(engagement=engagement)
    return user
