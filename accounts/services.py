"""Account actions. Emails are sent by the layers above (through the notification outbox):
accounts sits at the bottom of the dependency order and knows nothing of them."""

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from .models import (
    Invitation,
    InvitationRole,
    InvitationStatus,
    Membership,
    Role,
    User,
    Workspace,
    hash_token,
    new_token,
)


class InvitationError(Exception):
    """Why an invitation link cannot be used; `code` picks the page the visitor sees."""

    messages = {
        "invalid": "This invitation link is not valid. Check that you copied the whole link.",
        "accepted": "This invitation has already been used.",
        "revoked": "This invitation was withdrawn. Ask for a new one.",
        "expired": "This invitation has expired. Ask for a new one.",
        "wrong_email": "This invitation was sent to a different email address than the one you are signed in with.",
    }

    def __init__(self, code):
        self.code = code
        super().__init__(self.messages[code])


def _unique_slug(name):
    base = slugify(name)[:50] or "workspace"
    slug, n = base, 2
    while Workspace.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


@transaction.atomic
def workspace_create(*, name, owner, timezone_name="UTC", currency="USD"):
    for _ in range(3):
        try:
            with transaction.atomic():
                workspace = Workspace.objects.create(
                    name=name, slug=_unique_slug(name), timezone=timezone_name, currency=currency
                )
            break
        except IntegrityError:  # two sign-ups raced for the same slug
            continue
    else:
        raise IntegrityError("Could not allocate a workspace slug")
    Membership.objects.create(user=owner, workspace=workspace, role=Role.OWNER)
    return workspace


def user_signup(*, email, password, full_name, workspace_name, timezone_name, currency="USD"):
    """Create the user, their workspace, and make them its owner."""
    # Hashed before the transaction: on SQLite, BEGIN IMMEDIATE takes the one write lock at
    # once, and the hash (about 0.4 s of CPU) would hold it (README, "Short transactions").
    password_hash = make_password(password)
    with transaction.atomic():
        user = User.objects.create_user(
            email=email, password_hash=password_hash, full_name=full_name, timezone=timezone_name
        )
        workspace = workspace_create(
            name=workspace_name, owner=user, timezone_name=timezone_name, currency=currency
        )
    return user, workspace


@dataclass
class IssuedInvitation:
    invitation: Invitation
    token: str  # the only copy of the raw token; it goes into the email and nowhere else


@transaction.atomic
def invitation_issue(*, workspace, email, role, invited_by=None, target_id=None):
    """Create an invitation, revoking any pending one for the same invitee (re-sending makes
    the old link dead)."""
    email = email.strip().lower()
    now = timezone.now()
    Invitation.objects.filter(
        workspace=workspace, email=email, role=role, target_id=target_id,
        status=InvitationStatus.PENDING,
    ).update(status=InvitationStatus.REVOKED, revoked_at=now)
    token, token_hash = new_token()
    invitation = Invitation.objects.create(
        workspace=workspace, email=email, role=role, target_id=target_id,
        token_hash=token_hash, invited_by=invited_by,
    )
    return IssuedInvitation(invitation=invitation, token=token)


def invitation_revoke(*, invitation):
    updated = Invitation.objects.filter(
        pk=invitation.pk, status=InvitationStatus.PENDING
    ).update(status=InvitationStatus.REVOKED, revoked_at=timezone.now())
    invitation.refresh_from_db()
    return bool(updated)


def invitation_lookup(*, token, role=None):
    """The invitation a raw token names, or InvitationError saying why it cannot be used."""
    if not token:
        raise InvitationError("invalid")
    qs = Invitation.objects.select_related("workspace")
    if role:
        qs = qs.filter(role=role)
    invitation = qs.filter(token_hash=hash_token(token)).first()
    if invitation is None:
        raise InvitationError("invalid")
    status = invitation.effective_status
    if status != InvitationStatus.PENDING:
        raise InvitationError(status)
    return invitation


def invitation_claim(*, token, user, role=None):
    """Mark the invitation accepted by `user`, once. Must run inside the caller's transaction
    together with what accepting means (a membership, a portal link), so both happen or
    neither does."""
    invitation = invitation_lookup(token=token, role=role)
    if invitation.email != user.email.lower():
        raise InvitationError("wrong_email")
    now = timezone.now()
    # Conditional UPDATE: two tabs accepting the same link at once, only one wins.
    claimed = Invitation.objects.filter(
        pk=invitation.pk, status=InvitationStatus.PENDING, expires_at__gt=now
    ).update(status=InvitationStatus.ACCEPTED, accepted_at=now, accepted_by=user)
    if not claimed:
        invitation.refresh_from_db()
        status = invitation.effective_status
        raise InvitationError(status if status != InvitationStatus.PENDING else "expired")
    invitation.refresh_from_db()
    return invitation


@transaction.atomic
def manager_invitation_accept(*, token, user):
    invitation = invitation_claim(token=token, user=user, role=InvitationRole.MANAGER)
    membership, _ = Membership.objects.get_or_create(
        user=user, workspace=invitation.workspace, defaults={"role": Role.MANAGER}
    )
    return membership


def invitations_expire(*, now=None):
    """Housekeeping: pending invitations past their expiry become `expired`. Returns the ids."""
    now = now or timezone.now()
    ids = list(
        Invitation.objects.filter(status=InvitationStatus.PENDING, expires_at__lte=now)
        .values_list("pk", flat=True)[:1000]
    )
    if ids:
        Invitation.objects.filter(pk__in=ids, status=InvitationStatus.PENDING).update(
            status=InvitationStatus.EXPIRED
        )
    return ids


class MembershipError(Exception):
    pass


def membership_remove(*, membership):
    """Take a teammate out of a workspace. The owner stays: a workspace always has one."""
    if membership.role == Role.OWNER:
        raise MembershipError("The workspace owner cannot be removed.")
    Membership.objects.filter(pk=membership.pk, role=Role.MANAGER).delete()


def user_workspaces(user):
    return Workspace.objects.filter(memberships__user=user).order_by("name")
