"""Ending a freelancer's sessions when their portal access is revoked.

Chosen mechanism: a per-person *session epoch* (`PortalUser.session_epoch`). A login stamps the
session with the person's current epoch; revoking access bumps it; `PortalSessionMiddleware`
logs out any session whose stamp is older. It works on every session backend (database,
cache, signed cookies), costs one primary-key read per request only for sessions that carry a
stamp (people with a freelancer profile), and needs no scan of the session table. Iterating
`Session` rows instead would decode every session in the database on each revocation and
would miss sessions kept in a cache.

The stamp is written from Django's `user_logged_in` signal: that is session plumbing (the only
hook every way of logging in goes through: the login page, the invitation pages, a password
reset, the test client), not domain logic. A session of a freelancer without a stamp (started
before the portal was installed) is let in only while the person was never revoked; otherwise
it is logged out too (portal/access.py).
"""

from django.contrib.auth import logout
from django.db.models import F

from .models import PortalUser

SESSION_EPOCH = "portal_epoch"


def current_epoch(user):
    return PortalUser.objects.filter(user=user).values_list("session_epoch", flat=True).first() or 0


def stamp(request, user):
    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_EPOCH] = current_epoch(user)


def stamp_on_login(sender, request, user, **kwargs):
    # Only people who freelance somewhere; an owner's session carries no stamp and costs nothing.
    if request is not None and user.freelancer_profiles.exists():
        stamp(request, user)


def sessions_end(*, user):
    """End every session of `user` (at their next request). Returns the new epoch."""
    settings, _ = PortalUser.objects.get_or_create(user=user)
    PortalUser.objects.filter(pk=settings.pk).update(session_epoch=F("session_epoch") + 1)
    settings.refresh_from_db(fields=["session_epoch"])
    return settings.session_epoch


def session_is_stale(request):
    """True when the request's session was stamped before the person's sessions were ended."""
    stamped = request.session.get(SESSION_EPOCH)
    if stamped is None:
        return False
    return stamped != current_epoch(request.user)


def end_this_session(request):
    logout(request)
