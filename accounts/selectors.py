"""Reads of accounts that pages above share: the private calendar feeds."""

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
