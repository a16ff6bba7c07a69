"""API actions: issuing and revoking tokens, idempotency-key housekeeping."""

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import Workspace
from freelancers.models import Freelancer

from .models import ApiToken, IdempotencyKey, TokenRole

# Stored responses are kept at least 24 h (API.md); housekeeping deletes them after this.
IDEMPOTENCY_KEY_RETENTION = timedelta(hours=48)


@dataclass(frozen=True)
class Seat:
    """One way a user can act in a workspace: as owner/manager, or as a freelancer there."""

    workspace: Workspace
    role: str
    freelancer: Freelancer | None = None


def seats_for(user) -> dict[str, Seat]:
    """The workspaces `user` can get a token for, by slug. A membership (owner/manager) wins
    over a freelancer profile in the same workspace: staff already see everything there."""
    seats = {}
    for membership in user.memberships.select_related("workspace").order_by("created_at"):
        seats[membership.workspace.slug] = Seat(membership.workspace, membership.role)
    profiles = Freelancer.objects.filter(user=user).select_related("workspace").order_by("id")
    for freelancer in profiles:
        seats.setdefault(freelancer.workspace.slug, Seat(freelancer.workspace, TokenRole.FREELANCER, freelancer))
    return seats


def token_create(*, user, workspace_slug=None):
    """Issue a token for `user` bound to one workspace and the role they hold there.

    `workspace_slug` picks among several; a user in several workspaces must pick. Returns
    (token, key): the key is shown once, only its hash is stored. Raises ValidationError naming
    the field (`workspace`) when the choice is missing or not one of theirs.
    """
    seats = seats_for(user)
    if not seats:
        raise ValidationError("This account is not a member or freelancer of any workspace.")
    if workspace_slug:
        seat = seats.get(workspace_slug)
        if seat is None:
            raise ValidationError({"workspace": (
                f"You do not belong to a workspace “{workspace_slug}”. "
                f"Choose one of: {', '.join(sorted(seats))}."
            )})
    elif len(seats) == 1:
        (seat,) = seats.values()
    else:
        raise ValidationError({"workspace": (
            f"You belong to several workspaces; choose one of: {', '.join(sorted(seats))}."
        )})
    token, key = ApiToken.issue(user=user, workspace=seat.workspace, role=seat.role, freelancer=seat.freelancer)
    # The key is never logged: the event names the token by its id.
    audit_record(workspace=token.workspace_id, action="token_created", actor=user, obj=token,
                 detail=f"API token for {token.role}, expires {token.expires_at:%Y-%m-%d}.")
    return token, key


def token_revoke(*, token, actor=None):
    """Revoke `token` at once: the row (and so its hash) is deleted."""
    if ApiToken.objects.filter(pk=token.pk).delete()[0]:
        audit_record(workspace=token.workspace_id, action="token_revoked", actor=actor or token.user, obj=token,
                     detail=f"API token for {token.role} revoked.")


def idempotency_keys_purge(*, now=None):
    """Delete stored Idempotency-Key responses past the retention period. Returns the count."""
    cutoff = (now or timezone.now()) - IDEMPOTENCY_KEY_RETENTION
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
