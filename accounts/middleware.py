import zoneinfo

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth import SESSION_KEY as SIGNED_IN_KEY
from django.contrib.auth import logout
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from . import changes
from .audit import audit_denied_page, request_ip_reset, request_ip_set
from .models import Membership
from .selectors import membership_role_known

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
            # All of the user's memberships in one query: the current one is picked from them,
            # and the workspace switcher lists them (accounts.context_processors).
            memberships = list(changes.with_mark(Membership.objects.select_related("workspace").filter(user=user))
                               .order_by("created_at", "pk"))
            request.memberships = memberships
            chosen = request.session.get(SESSION_KEY)
            membership = next((m for m in memberships if chosen and m.workspace_id == chosen), None)
            if membership is None and memberships:
                membership = memberships[0]
            if membership is not None:
                request.membership = membership
                request.workspace = membership.workspace
                membership_role_known(user, membership.workspace_id, membership.role)
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

    def process_exception(self, request, exception):
        # Every page that answers a signed-in person 404 (an object outside their workspace or
        # outside their freelancer profile, a page their role may not open) is a denied access
        # in the audit log, whichever helper or view refused it. The API records its own
        # (api/exceptions.py): DRF turns its 404s into responses before middleware sees them.
        if isinstance(exception, Http404):
            audit_denied_page(request)


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
        # After the view, so the sign-in request itself starts the clock. Only a signed-in
        # session has one: an API request authenticated by its token (no cookie) must not get a
        # session row written and a cookie set for it.
        if SIGNED_IN_KEY in request.session:
            last = request.session.get(IDLE_STAMP)
            if last is None or now - last >= IDLE_STAMP_EVERY_SECONDS:
                request.session[IDLE_STAMP] = now
        return response


# A form typed into a page is a few kilobytes; the longest holds six fields of 20,000 characters.
FORM_MAX_CHARACTERS = 512 * 1024
OWN_LIMITS = ("/api/", "/inbound-email/")


class FormSizeMiddleware:
    """A page form posted with over FORM_MAX_CHARACTERS of text gets a 413 that says so, before
    any view sees it (url-encoded or multipart; files do not count: the upload rules check them).
    Counted in characters, not bytes, so text in any script has the same room. The API and the
    mail providers' webhooks have their own limits and answers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _form_too_big(request):
            message = (f"The form sent holds more than the {FORM_MAX_CHARACTERS:,} characters of text a page "
                       "accepts: shorten the text and send it again.")
            return HttpResponse(render_to_string("413.html", {"message": message}), status=413)
        return self.get_response(request)


def _form_too_big(request):
    if request.method != "POST" or request.path_info.startswith(OWN_LIMITS):
        return False
    if request.content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return False
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    # Cheap first: a body that short cannot hold that much text.
    if length <= FORM_MAX_CHARACTERS:
        return False
    return sum(len(value) for _, values in request.POST.lists() for value in values) > FORM_MAX_CHARACTERS
