from functools import cache

from django.utils import timezone
from rest_framework import authentication, exceptions

from accounts.joined import Joined
from accounts.models import User, Workspace
from accounts.selectors import membership_role_known
from freelancers.models import Freelancer

from .models import ApiToken, TokenRole, hash_key

INVALID = "Invalid or revoked token."
EXPIRED = "Token expired."


def token_still_grants_role(token) -> bool:
    """A token acts only while what granted its role holds: the membership with that role,
    or (freelancer tokens) the freelancer profile in that workspace still linked to the user.
    Removing a teammate or unlinking a portal login therefore cuts their API access at once.
    A token read by `authenticated_token` carries the membership's answer already."""
    if token.role == TokenRole.FREELANCER:
        freelancer = token.freelancer
        return (
            freelancer is not None
            and freelancer.user_id == token.user_id
            and freelancer.workspace_id == token.workspace_id
        )
    held = getattr(token, "membership_holds", None)
    if held is None:
        held = token.user.memberships.filter(workspace_id=token.workspace_id, role=token.role).exists()
    return held


def authenticated_token(key):
    """The token with this key, its user, workspace and freelancer, and whether the membership
    that granted a staff token's role still holds (`membership_holds`), in one query."""
    found = _token_read().one([hash_key(key)])
    if found is None:
        return None
    token, user, workspace, freelancer, holds = found
    token.user, token.workspace, token.freelancer = user, workspace, freelancer
    token.membership_holds = holds
    return token


@cache
def _token_read():
    """The token's read, written out once per process: every API request makes it, and building
    it with the ORM (`select_related` of three relations and an `Exists` of the membership)
    cost more CPU than PostgreSQL spends answering it. The same read as
    `ApiToken.objects.select_related("user", "workspace", "freelancer")
    .annotate(membership_holds=Exists(<the user's membership with the token's role>))
    .get(key_hash=…)`: key_hash is unique."""
    return Joined(("t", ApiToken), ("u", User), ("w", Workspace), ("f", Freelancer), sql="""
        SELECT {columns},
               EXISTS (SELECT 1 FROM accounts_membership m
                       WHERE m.user_id = t.user_id AND m.workspace_id = t.workspace_id AND m.role = t.role)
        FROM api_apitoken t
        JOIN accounts_user u ON u.id = t.user_id
        JOIN accounts_workspace w ON w.id = t.workspace_id
        LEFT JOIN freelancers_freelancer f ON f.id = t.freelancer_id
        WHERE t.key_hash = %s""")


class WorkspaceTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <key>`; sets request.auth to the ApiToken (workspace + role)."""

    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Invalid token header.")
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("Invalid token header.") from None
        token = authenticated_token(key)
        if token is None or not token.user.is_active or not token_still_grants_role(token):
            raise exceptions.AuthenticationFailed(INVALID)
        if token.role != TokenRole.FREELANCER:
            # The membership row just read (with the token's role): the services' owner and
            # staff checks use it instead of reading it again.
            membership_role_known(token.user, token.workspace_id, token.role)
        now = timezone.now()
        if token.is_expired(now):
            raise exceptions.AuthenticationFailed(EXPIRED)
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword
