"""Account actions. Emails are sent by the layers above (through the notification outbox):
accounts sits at the bottom of the dependency order and knows nothing of them."""

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from .audit import audit_record
from .models import (
    CalendarFeed,
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
from .selectors import calendar_feed_of, calendar_token


class InvitationError(Exception):
    """Why an invitation link cannot be used; `code` picks the page the visitor sees."""

    messages = {
        "invalid": "This invitation link is not valid. Check that you copied the whole link.",
        "accepted": "This invitation has already been used.",
        "revoked": "This invitation was withdrawn. Ask for a new one.",
        "expired": "This invitation has expired. Ask for a new one.",
        "wrong_email": "This invitation was sent to a different email address than the one you are signed in with.",
        "has_login": "There is already a login for this email address: sign in to accept the invitation.",
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
    """Mark the invitation accepted by `user`, once. Runs inside `invitation_accept`'s
    transaction together with what accepting means (a membership, a portal link), so both
    happen or neither does."""
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


# --- What accepting means, per role ------------------------------------------------------------
@dataclass(frozen=True)
class InvitationRoleHook:
    """What an invitation of one role leads to, given by the app that owns the role (accounts
    for teammates, the portal for freelancers, which registers its hook when it loads).

    `target(invitation)` → what the invitation is for (the workspace membership to be, the
    Freelancer profile), or InvitationError("invalid") when that is gone; `join(invitation, user,
    target)` does what accepting means, inside the acceptance's transaction, and returns what
    the person joined; `joined(invitation, user)` → that, when `user` accepted it earlier and
    still has it (an invitee opening their link again is taken in, not shown an error), else None.
    """

    target: Callable
    join: Callable
    joined: Callable


_ROLE_HOOKS: dict[str, InvitationRoleHook] = {}


def invitation_role_register(role, hook):
    _ROLE_HOOKS[role] = hook


def _hook(role):
    try:
        return _ROLE_HOOKS[role]
    except KeyError:
        raise InvitationError("invalid") from None


@dataclass
class AcceptedInvitation:
    invitation: Invitation
    user: User
    joined: object  # the Membership, the Freelancer: what the role's hook returned
    new_user: bool = False


def invitation_for_token(*, token, role=None):
    """(invitation, target): the pending invitation a raw token names and what it is for, or
    InvitationError saying why it cannot be used."""
    invitation = invitation_lookup(token=token, role=role)
    return invitation, _hook(invitation.role).target(invitation)


def invitation_accepted_by(*, token, user, role=None):
    """The AcceptedInvitation behind `token` when `user` accepted it already and still has what
    it gave, else None."""
    if not token or user is None or not user.is_authenticated:
        return None
    qs = Invitation.objects.select_related("workspace").filter(
        token_hash=hash_token(token), status=InvitationStatus.ACCEPTED, accepted_by=user)
    invitation = qs.filter(role=role).first() if role else qs.first()
    joined = _hook(invitation.role).joined(invitation, user) if invitation else None
    return AcceptedInvitation(invitation, user, joined) if joined is not None else None


def invitation_accept(*, token, user=None, signup=None, role=None):
    """Accept an invitation: as the signed-in `user`, or as a new login made from `signup`
    ({full_name, password, timezone}) for the invited email. The login, the claim and what the
    role means are one transaction: a refused acceptance leaves no login behind."""
    # Hashed before the transaction: on SQLite, BEGIN IMMEDIATE takes the one write lock at
    # once, and the hash (about 0.4 s of CPU) would hold it (README, "Short transactions").
    password_hash = make_password(signup["password"]) if user is None else None
    return _invitation_accept(token=token, user=user, signup=signup, role=role, password_hash=password_hash)


@transaction.atomic
def _invitation_accept(*, token, user, signup, role, password_hash):
    invitation, target = invitation_for_token(token=token, role=role)
    new_user = user is None
    if new_user:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise InvitationError("has_login")
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email=invitation.email, password_hash=password_hash, full_name=signup["full_name"],
                    timezone=signup["timezone"])
        except IntegrityError:  # the same email signed up a moment ago in another tab
            raise InvitationError("has_login") from None
    invitation = invitation_claim(token=token, user=user, role=invitation.role)
    joined = _hook(invitation.role).join(invitation, user, target)
    return AcceptedInvitation(invitation, user, joined, new_user=new_user)


def _membership_join(invitation, user, target):
    membership, created = Membership.objects.get_or_create(
        user=user, workspace=invitation.workspace, defaults={"role": Role.MANAGER})
    if created:
        audit_record(workspace=invitation.workspace, action="role_changed", actor=user, obj=membership,
                     detail=f"{user.email} joined as {membership.role} (invited by "
                            f"{invitation.invited_by.email if invitation.invited_by else 'the workspace'}).")
    return membership


invitation_role_register(InvitationRole.MANAGER, InvitationRoleHook(
    target=lambda invitation: invitation.workspace,
    join=_membership_join,
    joined=lambda invitation, user: Membership.objects.select_related("workspace").filter(
        user=user, workspace_id=invitation.workspace_id).first(),
))


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


def membership_remove(*, membership, actor=None):
    """Take a teammate out of a workspace. The owner stays: a workspace always has one."""
    if membership.role == Role.OWNER:
        raise MembershipError("The workspace owner cannot be removed.")
    if Membership.objects.filter(pk=membership.pk, role=Role.MANAGER).delete()[0]:
        audit_record(workspace=membership.workspace_id, action="member_removed", actor=actor, obj=membership,
                     detail=f"{membership.user.email} no longer has access.")


def user_workspaces(user):
    return Workspace.objects.filter(memberships__user=user).order_by("name")


# --- Private calendar feeds -------------------------------------------------------------------
def _salted(feed):
    feed.salt = secrets.token_hex(32)
    feed.token_hash = hash_token(calendar_token(feed))
    return feed


def calendar_feed_issue(*, user, workspace, audience):
    """The person's feed for this workspace and side, created on first use. Returns (feed,
    token). After a SECRET_KEY change the token rebuilt from the salt is a new one: the stored
    hash follows it, so the URL shown is always the one that works."""
    feed = calendar_feed_of(user=user, workspace=workspace, audience=audience)
    if feed is None:
        feed = _salted(CalendarFeed(user=user, workspace=workspace, audience=audience))
        try:
            with transaction.atomic():
                feed.save()
        except IntegrityError:  # created at the same moment by another request
            feed = calendar_feed_of(user=user, workspace=workspace, audience=audience)
    token = calendar_token(feed)
    if feed.token_hash != hash_token(token):
        CalendarFeed.objects.filter(pk=feed.pk).update(token_hash=hash_token(token))
    return feed, token


def calendar_feed_rotate(*, user, workspace, audience):
    """A new URL; the old one answers 404 from now on. Returns (feed, token)."""
    feed = calendar_feed_of(user=user, workspace=workspace, audience=audience)
    if feed is None:
        return calendar_feed_issue(user=user, workspace=workspace, audience=audience)
    _salted(feed)
    feed.rotated_at = timezone.now()
    feed.save(update_fields=["salt", "token_hash", "rotated_at"])
    return feed, calendar_token(feed)


def calendar_feed_revoke(*, user, workspace, audience):
    """No feed any more (the URL answers 404) until the person asks for one again. Returns
    whether there was one."""
    deleted, _ = CalendarFeed.objects.filter(user=user, workspace=workspace, audience=audience).delete()
    return bool(deleted)
