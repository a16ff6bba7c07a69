"""Reads of accounts that pages above share: a user's role in a workspace, the private calendar
feeds."""

from django.utils.crypto import salted_hmac

from .models import CalendarAudience, CalendarFeed, Membership, hash_token

FEED_KEY_SALT = "accounts.CalendarFeed"


def calendar_token(feed):
    """The secret in the feed's URL: rebuilt from the row's salt and the SECRET_KEY."""
    return salted_hmac(FEED_KEY_SALT, feed.salt, algorithm="sha256").hexdigest()


def calendar_feed_of(*, user, workspace, audience):
    return CalendarFeed.objects.filter(user=user, workspace=workspace, audience=audience).first()


def calendar_feed_by_token(token):
    """The feed a URL's token opens, with its user and workspace, or None: unknown, rotated or
    revoked tokens, a deactivated user, and an owner-side feed of someone no longer a member.
    (Whether a freelancer-side feed's person still freelances there is the portal's question.)"""
    if not token or len(token) > 128:
        return None
    feed = (CalendarFeed.objects.filter(token_hash=hash_token(token), user__is_active=True)
            .select_related("user", "workspace").first())
    if feed is None:
        return None
    if feed.audience == CalendarAudience.OWNER and not Membership.objects.filter(
            user=feed.user_id, workspace=feed.workspace_id).exists():
        return None
    return feed


# The roles a request has already read from membership rows, kept on that request's user object
# (a fresh one per request: the session's or the API token's), by workspace id.
_KNOWN_ROLES = "_membership_roles"


def membership_role_known(user, workspace_id, role):
    """Record that `user` (the request's user object) holds `role` in the workspace, as a
    membership row read for this request says: the services' role checks then need not read
    it again. Only the request's entry points call it (the dashboard's middleware, the API's
    token authentication), right after reading the row."""
    known = getattr(user, _KNOWN_ROLES, None)
    if known is None:
        known = {}
        setattr(user, _KNOWN_ROLES, known)  # through the session's lazy user too
    known[workspace_id] = role


def membership_role(user, workspace_id):
    """The user's role ("owner", "manager") in the workspace, or None: the one the request
    already read (`membership_role_known`), else the membership row."""
    if user is None or not user.is_authenticated:
        return None
    known = getattr(user, _KNOWN_ROLES, None) or {}
    if workspace_id in known:
        return known[workspace_id]
    return (Membership.objects.filter(workspace_id=workspace_id, user=user).order_by()
            .values_list("role", flat=True).first())
