"""Portal actions of the portal's own (the profile). Everything the freelancer does on an
engagement goes through the engagements and payments actions, the ones the owner pages and the
API call; invitations are in portal/invitations.py.

Email preferences are the notifications app's (`notifications.preferences`: per workspace and
address, applied when an email is sent); the portal offers the freelancer's categories and
applies a choice to every workspace the person freelances for.
"""

from django.db import transaction

from engagements import services as engagement_services
from engagements.models import EngagementStatus
from freelancers.services import freelancer as freelancer_services
from notifications import preferences
from notifications.models import PreferenceMode

from .access import freelancer_profiles

# Engagements whose deadlines follow the freelancer's time zone right now.
TIMED = [EngagementStatus.OFFERED, EngagementStatus.ACTIVE, EngagementStatus.PAUSED]


def email_categories():
    """The kinds of email a freelancer with a portal login may turn off (everything else, about
    the work itself or money, always goes). Invitation reminders are for people without one."""
    return [c for c in preferences.CATEGORIES
            if c.audience == preferences.FREELANCER and c.key != "invitation_reminders"]


def email_choices(freelancer):
    """{category key: True when on} for the freelancer's address in their workspace."""
    modes = preferences.modes(workspace=freelancer.workspace, email=freelancer.email)
    return {c.key: modes[c.key] != PreferenceMode.OFF for c in email_categories()}


@transaction.atomic
def portal_profile_save(*, user, full_name, timezone_name, emails=None):
    """Name, time zone and email choices of the person. The time zone is theirs in every
    workspace: each freelancer profile follows it, and the deadlines of their running
    engagements are recomputed in it. `emails` ({category key: on?}) applies to the address of
    each of their freelancer profiles, in each workspace."""
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
    for freelancer in freelancer_profiles(user):
        for category in email_categories():
            if category.key in (emails or {}):
                preferences.preference_set(
                    workspace=freelancer.workspace, email=freelancer.email, category=category.key,
                    mode=PreferenceMode.ON if emails[category.key] else PreferenceMode.OFF, via="portal",
                )
    return user
