import zoneinfo

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth import logout
from django.utils import timezone

from .audit import request_ip_reset, request_ip_set
from .models import Membership

SESSION_KEY = "workspace_id"


class WorkspaceMiddleware:
    """Puts the signed-in user's current workspace and membership on the request, and
    shows times in the user's time zone.

    The current workspace is the one chosen with the switcher (kept in the session), else the
    first one the user belongs to. A user with no membership (a freelancer using the portal)
    gets None and cannot open owner pages.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.workspace = None
        request.membership = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # Every membership in one read (a person belongs to a few workspaces): the current one
            # is picked from them, and the workspace switcher lists them (`request.memberships`).
            memberships = list(Membership.objects.select_related("workspace").filter(user=user)
                               .order_by("created_at", "pk"))
            request.memberships = memberships
            chosen = request.session.get(SESSION_KEY)
            membership = next((m for m in memberships if chosen and m.workspace_id == chosen), None)
            if membership is None and memberships:
                membership = memberships[0]
            if membership is not None:
                request.membership = membership
                request.workspace = membership.workspace
            # Pages show times in the reader's own time zone (stored in UTC).
            try:
                timezone.activate(user.tzinfo)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        # The audit log records the address each event came from (accounts/audit.py); the same
        # address django-axes throttles by (PROXY_COUNT), not a forgeable X-Forwarded-For.
        ip_token = request_ip_set(get_client_ip_address(request))
        try:
            return self.get_response(request)
        finally:
            request_ip_reset(ip_token)
            timezone.deactivate()


IDLE_STAMP = "last_active_at"
# The stamp is rewritten at most this often, so a busy session does not write on every request.
IDLE_STAMP_EVERY_SECONDS = 60


class IdleTimeoutMiddleware:
    """Signs out a session left unused for SESSION_IDLE_TIMEOUT seconds (0: never).

    Django's own expiry (SESSION_COOKIE_AGE) counts from sign-in and is the longest a session
    lives however busy; this one counts from the last request. The time of the last request is
    kept in the session and refreshed at most once a minute.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = settings.SESSION_IDLE_TIMEOUT
        if not timeout:
            return self.get_response(request)
        now = int(timezone.now().timestamp())
        last = request.session.get(IDLE_STAMP)
        if last is not None and request.user.is_authenticated and now - last > timeout:
            logout(request)
        response = self.get_response(request)
        # After the view, so the sign-in request itself starts the clock.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            last = request.session.get(IDLE_STAMP)
            if last is None or now - last >= IDLE_STAMP_EVERY_SECONDS:
                request.session[IDLE_STAMP] = now
        return response
