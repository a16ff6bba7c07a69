from django.utils import timezone
from rest_framework import authentication, exceptions

from .models import ApiToken, TokenRole, hash_key

INVALID = "Invalid or revoked token."
EXPIRED = "Token expired."


def token_still_grants_role(token) -> bool:
    """A token acts only while what granted its role holds: the membership with that role,
    or (freelancer tokens) the freelancer profile in that workspace still linked to the user.
    Removing a teammate or unlinking a portal login therefore cuts their API access at once."""
    if token.role == TokenRole.FREELANCER:
        freelancer = token.freelancer
        return (
            freelancer is not None
            and freelancer.user_id == token.user_id
            and freelancer.workspace_id == token.workspace_id
        )
    return token.user.memberships.filter(workspace_id=token.workspace_id, role=token.role).exists()


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
        token = (
            ApiToken.objects.select_related("user", "workspace", "freelancer")
            .filter(key_hash=hash_key(key)).first()
        )
        if token is None or not token.user.is_active or not token_still_grants_role(token):
            raise exceptions.AuthenticationFailed(INVALID)
        now = timezone.now()
        if token.is_expired(now):
            raise exceptions.AuthenticationFailed(EXPIRED)
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword
