"""Account emails sent through the outbox: invitations (teammates here, freelancers from the
portal, on the same mechanism)."""

from django.urls import reverse

from accounts import services as account_services

from .emails import absolute
from .services import notify


def invitation_send(*, workspace, email, role, invited_by, target_id=None, accept_url_name, kind,
                    extra_context=None):
    """Issue a fresh invitation (revoking any pending one for the same invitee) and email the
    link. Returns the invitation."""
    issued = account_services.invitation_issue(
        workspace=workspace, email=email, role=role, invited_by=invited_by, target_id=target_id
    )
    url = absolute(reverse(accept_url_name, kwargs={"token": issued.token}))
    invitation = issued.invitation
    notify(
        kind=kind, recipient_email=invitation.email, workspace=workspace,
        dedupe_key=f"invitation:{invitation.pk}",
        context={
            "accept_url": url,
            "_secret": ["accept_url"],
            "inviter_name": invited_by.get_full_name() if invited_by else workspace.name,
            "expires_at": invitation.expires_at.isoformat(),
            "expires_in_days": max(1, round(
                (invitation.expires_at - invitation.created_at).total_seconds() / 86400
            )),
            **(extra_context or {}),
        },
    )
    return invitation
