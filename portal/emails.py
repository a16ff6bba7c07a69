"""The email the portal sends of its own, through `notifications.services.notify`: the owner
hears when a freelancer joins. (The invitation itself is the notifications app's
`invitation_send`, shared with teammates' invitations.)"""

from django.urls import reverse

from accounts.models import Membership, Role, User
from notifications.links import absolute
from notifications.services import notify


def portal_joined(*, invitation, freelancer):
    """Whoever invited the freelancer (or, when they are gone from the workspace, its owner)
    hears that the freelancer joined; once per invitation."""
    inviter = invitation.invited_by
    if inviter is None or not inviter.is_active or not Membership.objects.filter(
            user=inviter, workspace_id=invitation.workspace_id).exists():
        inviter = (
            User.objects.filter(memberships__workspace_id=invitation.workspace_id, memberships__role=Role.OWNER,
                                is_active=True).order_by("pk").first()
        )
    if inviter is None:
        return
    notify(
        kind="portal_joined", recipient_email=inviter.email, recipient_user=inviter,
        workspace=invitation.workspace, dedupe_key=f"portal-joined:{invitation.pk}",
        context={"freelancer_name": freelancer.name,
                 "url": absolute(reverse("freelancers:detail", kwargs={"pk": freelancer.pk}))},
    )
