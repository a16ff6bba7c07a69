import zoneinfo

from axes.helpers import get_client_ip_address
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
            memberships = Membership.objects.select_related("workspace").filter(user=user)
            chosen = request.session.get(SESSION_KEY)
            membership = None
            if chosen:
                membership = memberships.filter(workspace_id=chosen).first()
            if membership is None:
                membership = memberships.order_by("created_at").first()
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
