"""Portal invitations on the general invitation mechanism (accounts.Invitation, role
freelancer, target_id = the Freelancer's id): issuing, what accepting means (the role hook that
apps.py registers with accounts.services.invitation_accept), revoking access again, and the
beat sweep that invites a freelancer offered work.

Tokens are 256-bit, stored hashed, single use, expiring, bound to the freelancer's email;
issuing a new one revokes the pending one (so a resent email makes the old link dead). What the
owner sees of all this (the status, the history) is in portal.selectors.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import services as account_services
from accounts.models import InvitationRole, InvitationStatus, Membership
from accounts.services import InvitationError
from engagements.models import Engagement
from engagements.services.activity import activity_record
from freelancers.models import Freelancer
from notifications.services import invitation_prepare, invitation_send

from .. import emails
from ..models import PortalAccess
from ..selectors import (
    freelancer_invitations,
    invited_freelancer,
    joined_freelancer,
    offers_to_invite,
    open_engagements,
)
from ..sessions import sessions_end

KIND = "portal_invitation"
ACCEPT_URL_NAME = "portal:invitation_open"
# A freelancer asking for a new link gets at most one per this period.
SELF_SERVICE_EVERY = timedelta(minutes=10)


class PortalError(Exception):
    """Why a portal action cannot be done now (shown to the person as is; the API answers 409)."""

    http_status = 409


@transaction.atomic
def portal_invitation_send(*, freelancer, invited_by=None, engagement=None):
    """Email the freelancer a portal invitation (revoking a pending one). Refused when they
    already have a portal login. With `engagement`, the invitation also shows on its timeline.
    Returns the invitation."""
    freelancer = Freelancer.objects.select_for_update().select_related("workspace").get(pk=freelancer.pk)
    if freelancer.user_id:
        raise PortalError(f"{freelancer.name} already has a portal login.")
    if not freelancer.email:
        raise ValidationError({"freelancer": "This freelancer has no email address."})
    offered = [e.title for e in open_engagements(freelancer)[:5]]
    invitation = invitation_send(
        workspace=freelancer.workspace, email=freelancer.email, role=InvitationRole.FREELANCER,
        invited_by=invited_by, target_id=freelancer.pk, accept_url_name=ACCEPT_URL_NAME, kind=KIND,
        extra_context={"freelancer_name": freelancer.name, "engagement_titles": offered},
    )
    if engagement is not None and engagement.freelancer_id == freelancer.pk:
        who = invited_by.get_full_name() if invited_by else "The workspace"
        activity_record(engagement=engagement, kind="portal_invited", actor_user=invited_by,
                        summary=f"{who} invited {freelancer.name} to the freelancer portal.")
    return invitation


def portal_invitation_resend(*, invitation, invited_by):
    """A fresh link for the same freelancer; the old one stops working."""
    freelancer = Freelancer.objects.filter(
        pk=invitation.target_id, workspace_id=invitation.workspace_id).first()
    if freelancer is None or invitation.role != InvitationRole.FREELANCER:
        raise PortalError("This freelancer no longer exists.")
    return portal_invitation_send(freelancer=freelancer, invited_by=invited_by)


def portal_invitation_revoke(*, invitation):
    """Returns False when it was no longer pending."""
    return account_services.invitation_revoke(invitation=invitation)


def _portal_join(invitation, user, freelancer):
    """What accepting a portal invitation means (inside accounts.invitation_accept's
    transaction): link the freelancer profile to the login and open their portal access."""
    freelancer = Freelancer.objects.select_for_update().get(pk=freelancer.pk)
    if freelancer.user_id and freelancer.user_id != user.pk:
        raise InvitationError("invalid")
    now = timezone.now()
    Freelancer.objects.filter(pk=freelancer.pk).update(user=user, updated_at=now)
    freelancer.user = user
    access, created = PortalAccess.objects.get_or_create(
        freelancer=freelancer, defaults={"joined_at": now, "updated_at": now})
    if not created:
        PortalAccess.objects.filter(pk=access.pk).update(joined_at=now, revoked_at=None, revoked_by=None,
                                                         revoked_email="", updated_at=now)
    for engagement in open_engagements(freelancer):
        activity_record(engagement=engagement, kind="portal_joined", actor_freelancer=freelancer,
                        summary=f"{freelancer.name} joined the freelancer portal.")
    emails.portal_joined(invitation=invitation, freelancer=freelancer)
    return freelancer


# Registered when the app loads (apps.py): accounts accepts invitations of every role through one
# service and asks the role's owner what accepting means.
PORTAL_ROLE_HOOK = account_services.InvitationRoleHook(
    target=invited_freelancer, join=_portal_join, joined=joined_freelancer)


@transaction.atomic
def portal_access_revoke(*, freelancer, actor):
    """Unlink the freelancer's portal login, withdraw any pending invitation and end the
    person's sessions. Their API tokens for this workspace stop working at once (they hold only
    while the profile is linked). Returns False when there was nothing to revoke."""
    freelancer = Freelancer.objects.select_for_update(of=("self",)).select_related("user").get(pk=freelancer.pk)
    now = timezone.now()
    pending = freelancer_invitations(freelancer).filter(status=InvitationStatus.PENDING)
    withdrawn = pending.update(status=InvitationStatus.REVOKED, revoked_at=now)
    user = freelancer.user
    if user is None:
        return bool(withdrawn)
    Freelancer.objects.filter(pk=freelancer.pk).update(user=None, updated_at=now)
    access, _ = PortalAccess.objects.get_or_create(freelancer=freelancer, defaults={"updated_at": now})
    PortalAccess.objects.filter(pk=access.pk).update(revoked_at=now, revoked_by=actor, revoked_email=user.email,
                                                     updated_at=now)
    sessions_end(user=user)
    for engagement in open_engagements(freelancer):
        activity_record(engagement=engagement, kind="portal_revoked", actor_user=actor,
                        summary=f"Revoked {freelancer.name}'s portal access.")
    freelancer.user = None
    return True


@transaction.atomic
def portal_invitation_for_offer(*, engagement_id):
    """Invite the freelancer of an offered engagement who has no portal login yet, on the
    engagement's behalf (from whoever created it). Checked again under the freelancer's row
    lock, so two sweeps at once, or the owner's button a moment earlier, send one invitation.
    Returns the invitation, or None when there was nothing to do."""
    engagement = Engagement.objects.select_related("workspace", "created_by").filter(pk=engagement_id).first()
    if engagement is None:
        return None
    Freelancer.objects.select_for_update().get(pk=engagement.freelancer_id)
    if not offers_to_invite().filter(pk=engagement.pk).exists():
        return None
    inviter = engagement.created_by
    if inviter is not None and not (inviter.is_active and Membership.objects.filter(
            user=inviter, workspace_id=engagement.workspace_id).exists()):
        inviter = None
    freelancer = Freelancer.objects.select_related("workspace").get(pk=engagement.freelancer_id)
    return portal_invitation_send(freelancer=freelancer, invited_by=inviter, engagement=engagement)


def portal_invitation_for_offer_email(*, engagement, freelancer, actor):
    """Registered with engagements (`offer_invitation_register`, portal.apps): an offer to a
    freelancer with no portal login issues their invitation at once, and the brief email carries
    its link (so they are never sent a brief they cannot open, nor two emails). Returns the email
    context of the link, or None when they can sign in already."""
    if freelancer.user_id or not freelancer.email:
        return None
    invitation, context = invitation_prepare(
        workspace=engagement.workspace, email=freelancer.email, role=InvitationRole.FREELANCER, invited_by=actor,
        target_id=freelancer.pk, accept_url_name=ACCEPT_URL_NAME)
    who = actor.get_full_name() if actor else "The workspace"
    activity_record(engagement=engagement, kind="portal_invited", actor_user=actor,
                    summary=f"{who} invited {freelancer.name} to the freelancer portal, with the brief.")
    return {**context, "invitation_id": invitation.pk}


def offers_invite(*, batch=200):
    """Beat: invite to the portal every freelancer offered an engagement who cannot sign in yet,
    so an offer works on its own ("automatically when an engagement is offered"): the offer email
    (engagements) says what the work is, the invitation lets them in. Returns how many went."""
    due = list(offers_to_invite().order_by("offered_at").values_list("pk", flat=True)[:batch])
    return sum(1 for pk in due if portal_invitation_for_offer(engagement_id=pk) is not None)


def portal_link_request(*, email):
    """Self-service: someone typed their email on the portal's sign-in help page. Every
    freelancer profile with that address and no login, that was invited before or has an
    offered or running engagement, gets a fresh invitation — at most one per profile every few
    minutes. Returns how many were sent (never shown: the page says the same either way)."""
    email = (email or "").strip().lower()
    if not email:
        return 0
    sent = 0
    now = timezone.now()
    candidates = Freelancer.objects.filter(email__iexact=email, user__isnull=True).select_related("workspace")
    for freelancer in candidates[:20]:
        invitations = freelancer_invitations(freelancer)
        if invitations.filter(created_at__gt=now - SELF_SERVICE_EVERY).exists():
            continue
        if not invitations.exists() and not open_engagements(freelancer).exists():
            continue
        portal_invitation_send(freelancer=freelancer, invited_by=None)
        sent += 1
    return sent
