"""The freelancer's own profile in the portal. Everything the freelancer does on an engagement
goes through the engagements and payments actions, the ones the owner pages and the API call;
invitations are in services/invitation.py.

Email preferences are the notifications app's (`notifications.preferences`: per workspace and
address, applied when an email is sent); the portal offers the freelancer's categories and
applies a choice to every workspace the person freelances for.
"""

from django.db import transaction

from freelancers.services import freelancer as freelancer_services
from notifications import preferences
from notifications.models import PreferenceMode

from ..access import freelancer_profiles
from ..selectors import email_categories


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
        # Open engagements' deadlines follow (freelancer_update has the engagements app recompute them).
        freelancer_services.freelancer_update(freelancer=freelancer, actor=user, timezone_name=timezone_name)
    for freelancer in freelancer_profiles(user):
        for category in email_categories():
            if category.key in (emails or {}):
                preferences.preference_set(
                    workspace=freelancer.workspace, email=freelancer.email, category=category.key,
                    mode=PreferenceMode.ON if emails[category.key] else PreferenceMode.OFF, via="portal",
                )
    return user
