"""Who may take which money action. The services check it themselves, so pages, the portal and
the API cannot disagree: moving money is for the workspace owner; a manager sees everything,
opens disputes and extends reviews; the engagement's freelancer may open a dispute."""

from accounts.models import Role
from accounts.selectors import membership_role

from .errors import NotAllowed
from .models import DisputeSide

OWNER_ONLY = "Only the workspace owner can move money."


def role_in(workspace, user):
    # Read once per request: the membership the request was let in by (accounts.selectors).
    return membership_role(user, workspace.pk)


def require_owner(workspace, actor, message=OWNER_ONLY):
    if role_in(workspace, actor) != Role.OWNER:
        raise NotAllowed(message)


def require_staff(workspace, actor):
    if role_in(workspace, actor) not in (Role.OWNER, Role.MANAGER):
        raise NotAllowed("Only the workspace's owner or managers can do this.")


def is_engagement_freelancer(engagement, actor):
    return (
        actor is not None and actor.is_authenticated
        and engagement.freelancer.user_id is not None and engagement.freelancer.user_id == actor.pk
    )


def require_freelancer(engagement, actor):
    if not is_engagement_freelancer(engagement, actor):
        raise NotAllowed("Only the engagement's freelancer can do this.")


def side_of(engagement, actor):
    """The side `actor` is on for this engagement, or NotAllowed."""
    if role_in(engagement.workspace, actor) in (Role.OWNER, Role.MANAGER):
        return DisputeSide.OWNER
    if is_engagement_freelancer(engagement, actor):
        return DisputeSide.FREELANCER
    raise NotAllowed("You are not part of this engagement.")
