"""Public portal pages: the emailed invitation link, accepting it, and asking for a new link.

The link carries the raw token once: `invitation_open` keeps it in the session and redirects,
so the token leaves the address bar before anything renders (no log line, no Referer header,
no browser history entry holds it).
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from accounts.models import InvitationRole
from accounts.views import InvitationAcceptView

from ..access import SESSION_FREELANCER
from ..forms import AcceptForm, LinkRequestForm
from ..services import invitation as invitations
from ..sessions import stamp

SESSION_TOKEN = "portal_invitation_token"


class FreelancerInvitationView(InvitationAcceptView):
    """A freelancer's portal invitation: accepting links their profile to the login."""

    role = InvitationRole.FREELANCER
    session_key = SESSION_TOKEN
    template_name = "portal/invitation_accept.html"
    invalid_template = "portal/invitation_invalid.html"
    form_class = AcceptForm
    url_name = "portal:invitation_accept"
    # Someone with this email already has a login (an owner elsewhere, or a freelancer for
    # another workspace): they sign in, and come back here to accept.
    sign_in_message = "You already have a login as {email}: sign in to accept the invitation."

    def initial(self):
        return {"full_name": self.target.name, "timezone": self.target.timezone}

    def page(self, form):
        return render(self.request, self.template_name,
                      {"invitation": self.invitation, "freelancer": self.target, "form": form})

    def welcome(self, request, accepted, again=False):
        freelancer = accepted.joined
        if not accepted.new_user:
            stamp(request, accepted.user)
        request.session[SESSION_FREELANCER] = freelancer.pk
        if again:
            messages.info(request, f"You already use {freelancer.workspace.name}'s freelancer portal.")
        else:
            messages.success(request, f"Welcome to {freelancer.workspace.name}'s freelancer portal.")
        return redirect("portal:home")


invitation_open = never_cache(FreelancerInvitationView.open_link)
invitation_accept = FreelancerInvitationView.as_view()


def sign_in(request):
    """Where the portal sends a visitor who is not signed in (every portal email links to a
    portal page, so a freelancer who has no password yet lands here too): sign in, or — for a
    first visit or a lost, expired link — ask for a fresh invitation link by email.

    The link goes only to the address typed, and only for freelancer profiles there that were
    invited or offered work and have no login yet; the answer is the same whether or not
    anything was sent, so the page tells nobody which addresses exist."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = ""
    next_url = next_url or reverse("portal:home")
    if request.user.is_authenticated:
        return redirect(next_url)
    form = LinkRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        invitations.portal_link_request(email=form.cleaned_data["email"])
        return render(request, "portal/sign_in.html", {"sent_to": form.cleaned_data["email"], "next": next_url})
    return render(request, "portal/sign_in.html", {"form": form, "next": next_url})
