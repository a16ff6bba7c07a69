from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.messages.views import SuccessMessageMixin
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from . import services
from .access import owner_required
from .forms import LoginForm, ProfileForm, SignupForm, WorkspaceForm
from .middleware import SESSION_KEY
from .models import Membership


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
    return render(request, "accounts/profile.html", {"form": form})


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


class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):
    """Change your password while signed in; you stay signed in here and every other session
    of yours is logged out."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")
    success_message = "Password changed. Other devices signed in as you have been logged out."
