"""What marking a freelancer do-not-hire means for their portal (registered with the
freelancers app's `freelancer_mark_do_not_hire` when this app loads, portal/apps.py): the
login is unlinked, its sessions end, its API tokens stop working, and pending portal
invitations are withdrawn — all through `portal_access_revoke`.
"""

from accounts.models import InvitationStatus
from freelancers.services.freelancer import DoNotHireConsequence

from ..selectors import freelancer_invitations
from .invitation import portal_access_revoke


def _plural(n, word):
    return f"{n} {word}{'' if n == 1 else 's'}"


def _pending(freelancer):
    return freelancer_invitations(freelancer).filter(status=InvitationStatus.PENDING).count()


def preview(freelancer):
    lines = []
    if freelancer.user_id:
        lines.append(f"Revoke their portal access ({freelancer.user.email}): signed out everywhere, "
                     "their API tokens stop working.")
    if pending := _pending(freelancer):
        lines.append(f"Withdraw {_plural(pending, 'pending portal invitation')}.")
    return lines


def apply(*, freelancer, actor):
    pending = _pending(freelancer)
    email = freelancer.user.email if freelancer.user_id else None
    portal_access_revoke(freelancer=freelancer, actor=actor)
    freelancer.user = None
    lines = []
    if email:
        lines.append(f"Revoked their portal access ({email}); they are signed out and their API tokens "
                     "stopped working.")
    if pending:
        lines.append(f"Withdrew {_plural(pending, 'pending portal invitation')}.")
    return lines


CONSEQUENCE = DoNotHireConsequence(preview=preview, apply=apply)
