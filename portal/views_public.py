"""Public portal pages: the emailed invitation link, accepting it, and asking for a new link.

The link carries the raw token once: `invitation_open` keeps it in the session and redirects,
so the token leaves the address bar before anything renders (no log line, no Referer header,
no browser history entry holds it).
"""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from accounts.models import User
from accounts.services import InvitationError

from . import invitations
from .access import SESSION_FREELANCER
from .forms import AcceptForm, LinkRequestForm
from .sessions import stamp

SESSION_TOKEN = "portal_invitation_token"


def _invalid(request, error, status):
    return render(request, "portal/invitation_invalid.html", {"error": error}, status=status)


@never_cache
def invitation_open(request, token):
    request.session[SESSION_TOKEN] = token
    return redirect("portal:invitation_accept")


@never_cache
def invitation_accept(request):
    token = request.session.get(SESSION_TOKEN, "")
    try:
        invitation, freelancer = invitations.invitation_for_token(token)
    except InvitationError as exc:
        return _invalid(request, exc, 400 if exc.code == "invalid" else 410)
    context = {"invitation": invitation, "freelancer": freelancer}

    if request.user.is_authenticated:
        if request.user.email != invitation.email:
            return _invalid(request, InvitationError("wrong_email"), 403)
        if request.method == "POST":
            return _accept(request, token, request.user)
        return render(request, "portal/invitation_accept.html", context)

    if User.objects.filter(email__iexact=invitation.email).exists():
        # Someone with this email already has a login (an owner elsewhere, or a freelancer for
        # another workspace): they sign in, and come back here to accept.
        messages.info(request, f"You already have a login as {invitation.email}: sign in to accept the invitation.")
        return redirect(f"{reverse('accounts:login')}?next={reverse('portal:invitation_accept')}")

    form = AcceptForm(request.POST or None, email=invitation.email,
                      initial={"full_name": freelancer.name, "timezone": freelancer.timezone})
    context["form"] = form
    if request.method == "POST" and form.is_valid():
        password_hash = make_password(form.cleaned_data["password"])  # before the transaction: slow
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email=invitation.email, password_hash=password_hash,
                    full_name=form.cleaned_data["full_name"], timezone=form.cleaned_data["timezone"],
                )
                return _accept(request, token, user, new_user=True)
        except IntegrityError:
            # The same email signed up a moment ago in another tab: sign in instead.
            return redirect(f"{reverse('accounts:login')}?next={reverse('portal:invitation_accept')}")
    return render(request, "portal/invitation_accept.html", context)


def _accept(request, token, user, new_user=False):
    try:
        freelancer = invitations.portal_invitation_accept(token=token, user=user)
    except InvitationError as exc:
        if new_user:  # undo the login created for this invitation
            transaction.set_rollback(True)
        return _invalid(request, exc, 410)
    request.session.pop(SESSION_TOKEN, None)
    if new_user:
        login(request, user, backend="accounts.backends.EmailBackend")
    else:
        stamp(request, user)
    request.session[SESSION_FREELANCER] = freelancer.pk
    messages.success(request, f"Welcome to {freelancer.workspace.name}'s freelancer portal.")
    return redirect("portal:home")


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
