from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse

from .sessions import end_this_session, session_is_stale


class PortalSessionMiddleware:
    """Logs out a session whose portal stamp predates the end of its person's sessions
    (portal/sessions.py), on every page, not only the portal's.

    Also sends a freelancer who signs in on the ordinary login page (which lands on the owner
    dashboard, a 404 for someone with no workspace) to their portal instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if session_is_stale(request):
                end_this_session(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                messages.warning(request, "Your access was changed: please sign in again.")
                return redirect_to_login(request.get_full_path())
            if (
                getattr(request, "workspace", None) is None
                and request.method == "GET"
                and request.path == reverse("dashboard:home")
                and user.freelancer_profiles.exists()
            ):
                return redirect("portal:home")
        return self.get_response(request)
