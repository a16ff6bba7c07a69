from django.db.models import Exists, OuterRef
from django.utils import timezone
from rest_framework import authentication, exceptions

from accounts.models import Membership
from accounts.selectors import membership_role_known

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
    granted = Membership.objects.filter(user_id=OuterRef("user_id"), workspace_id=OuterRef("workspace_id"),
                                        role=OuterRef("role"))
    try:  # key_hash is unique: get() spares first()'s ORDER BY
        return (ApiToken.objects.select_related("user", "workspace", "freelancer")
                .annotate(membership_holds=Exists(granted)).get(key_hash=hash_key(key)))
    except ApiToken.DoesNotExist:
        return None


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
