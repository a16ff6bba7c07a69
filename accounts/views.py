from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.messages.views import SuccessMessageMixin
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import calendar_pages, services
from .access import owner_required
from .audit import audit_for_member, audit_log_csv
from .forms import LoginForm, ProfileForm, SignupForm, WorkspaceForm
from .middleware import SESSION_KEY
from .models import AUDIT_ACTIONS, AuditEvent, CalendarAudience, Membership, User
from .services import InvitationError


def signup(request):
    if request.user.is_authenticated:
        return redirect("dashboard:home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, workspace = services.user_signup(
                email=data["email"], password=data["password"], full_name=data["full_name"],
                workspace_name=data["workspace_name"], timezone_name=data["timezone"],
                currency=data["currency"],
            )
        except IntegrityError:
            # Two sign-ups with one email at the same moment: the form's check passed for
            # both, the unique constraint let one through.
            form.add_error("email", SignupForm.DUPLICATE_EMAIL)
        else:
            login(request, user, backend="accounts.backends.EmailBackend")
            request.session[SESSION_KEY] = workspace.pk
            messages.success(request, f"Welcome! {workspace.name} is ready.")
            return redirect("dashboard:home")
    return render(request, "accounts/signup.html", {"form": form})


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Profile saved.")
        return redirect("accounts:profile")
    context = {"form": form}
    if getattr(request, "workspace", None) is not None:
        context.update(calendar_pages.calendar_context(
            request, workspace=request.workspace, audience=CalendarAudience.OWNER,
            action_url=reverse("accounts:calendar_feed")))
    return render(request, "accounts/profile.html", context)


@login_required
@require_POST
def calendar_feed(request):
    """Create, rotate or revoke the private calendar link of the current workspace."""
    if getattr(request, "workspace", None) is None:
        raise Http404
    return calendar_pages.calendar_action(request, workspace=request.workspace, audience=CalendarAudience.OWNER,
                                          back="accounts:profile")


@login_required
@require_POST
def switch_workspace(request):
    try:
        membership = Membership.objects.select_related("workspace").get(
            user=request.user, workspace_id=int(request.POST.get("workspace", "0"))
        )
    except (Membership.DoesNotExist, ValueError):
        raise Http404 from None
    request.session[SESSION_KEY] = membership.workspace_id
    messages.info(request, f"Switched to {membership.workspace.name}.")
    return redirect("dashboard:home")


@owner_required
def workspace_settings(request):
    form = WorkspaceForm(request.POST or None, instance=request.workspace)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Workspace settings saved.")
        return redirect("accounts:workspace_settings")
    return render(request, "accounts/workspace_settings.html", {"form": form})


AUDIT_PAGE_SIZE = 50


@owner_required
def audit_log(request):
    """The workspace's audit log for its owner, newest first, filtered by action; `?format=csv`
    downloads the same rows (formula-safe)."""
    events = AuditEvent.objects.filter(workspace=request.workspace).order_by("-at", "-id")
    action = request.GET.get("action", "")
    if action in AUDIT_ACTIONS:
        events = events.filter(action=action)
    if request.GET.get("format") == "csv":
        return audit_log_csv(events)
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/audit_log.html",
                  {"page": page, "actions": AUDIT_ACTIONS, "action": action if action in AUDIT_ACTIONS else ""})


class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):
    """Change your password while signed in; you stay signed in here and every other session
    of yours is logged out."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")
    success_message = "Password changed. Other devices signed in as you have been logged out."

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_for_member(user=self.request.user, action="password_changed")
        return response


@method_decorator(never_cache, name="dispatch")
class InvitationAcceptView(View):
    """Accepting an emailed invitation, for teammates and freelancers alike; each configures its
    role, pages and where the person lands (`welcome`).

    The emailed link (`open_link`) keeps the token in the session and redirects here once, so the
    token leaves the address bar before the page renders (no log line, Referer header or
    history entry holds it). A signed-in invitee accepts with a click; someone without a login
    makes one on the spot (the service creates it, in the acceptance's transaction); someone
    with a login elsewhere signs in first and comes back. An invitee opening their link again
    after accepting is taken in.
    """

    role = None
    session_key = None
    template_name = None
    invalid_template = None
    form_class = None
    url_name = None  # this page, to come back to after signing in
    sign_in_message = "Log in as {email} to accept the invitation."

    @classmethod
    def open_link(cls, request, token):
        request.session[cls.session_key] = token
        return redirect(cls.url_name)

    def dispatch(self, request, *args, **kwargs):
        self.token = request.session.get(self.session_key, "")
        try:
            self.invitation, self.target = services.invitation_for_token(token=self.token, role=self.role)
        except InvitationError as exc:
            again = services.invitation_accepted_by(token=self.token, user=request.user, role=self.role)
            if exc.code == "accepted" and again is not None:
                request.session.pop(self.session_key, None)
                return self.welcome(request, again, again=True)
            return self.invalid(exc, 400 if exc.code == "invalid" else 410)
        if request.user.is_authenticated and request.user.email != self.invitation.email:
            return self.invalid(InvitationError("wrong_email"), 403)
        if not request.user.is_authenticated and User.objects.filter(email__iexact=self.invitation.email).exists():
            return self.sign_in_first()
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.page(None if request.user.is_authenticated else self.make_form())

    def post(self, request):
        if request.user.is_authenticated:
            return self.accept(user=request.user)
        form = self.make_form(request.POST)
        if not form.is_valid():
            return self.page(form)
        return self.accept(signup=form.cleaned_data)

    def make_form(self, data=None):
        return self.form_class(data, email=self.invitation.email, initial=self.initial())

    def initial(self):
        return {}

    def page(self, form):
        return render(self.request, self.template_name, {"invitation": self.invitation, "form": form})

    def invalid(self, error, status):
        return render(self.request, self.invalid_template, {"error": error}, status=status)

    def sign_in_first(self):
        messages.info(self.request, self.sign_in_message.format(email=self.invitation.email))
        return redirect(f"{reverse('accounts:login')}?next={reverse(self.url_name)}")

    def accept(self, **how):
        try:
            accepted = services.invitation_accept(token=self.token, role=self.role, **how)
        except InvitationError as exc:
            if exc.code == "has_login":  # signed up a moment ago in another tab
                return self.sign_in_first()
            return self.invalid(exc, 410)
        self.request.session.pop(self.session_key, None)
        if accepted.new_user:
            login(self.request, accepted.user, backend="accounts.backends.EmailBackend")
        return self.welcome(self.request, accepted)

    def welcome(self, request, accepted, again=False):
        """Where the person lands once in (`again`: they had accepted before)."""
        raise NotImplementedError
