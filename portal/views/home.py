"""The freelancer's home (what needs them, their money, the next two weeks, a card per
engagement), switching between the workspaces they freelance for, their profile (name, time
zone, emails) and their money overall."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from accounts import calendar_pages
from accounts.forms import apply_errors
from accounts.models import CalendarAudience
from payments import selectors as money
from payments.models import Payout
from payments.statements import statement_csv_response

from ..access import SESSION_FREELANCER, portal_required
from ..attention import freelancer_front_door
from ..forms import ProfileForm
from ..selectors import email_categories, email_choices
from ..services.profile import portal_profile_save
from ._helpers import render_portal


@portal_required
def home(request):
    return render_portal(request, "portal/home.html", {"home": freelancer_front_door(request.freelancer)})


@portal_required
@require_POST
def switch(request):
    try:
        wanted = int(request.POST.get("freelancer", ""))
    except ValueError:
        raise Http404 from None
    profile = next((p for p in request.portal_profiles if p.pk == wanted), None)
    if profile is None:
        raise Http404
    request.session[SESSION_FREELANCER] = profile.pk
    messages.info(request, f"You are now working in {profile.workspace.name}.")
    return redirect("portal:home")


@portal_required
def profile(request):
    user = request.user
    initial = {"full_name": user.full_name or request.freelancer.name, "timezone": request.freelancer.timezone}
    initial.update({f"email_{key}": on for key, on in email_choices(request.freelancer).items()})
    form = ProfileForm(request.POST or None, initial=initial, categories=email_categories())
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            portal_profile_save(user=user, full_name=c["full_name"], timezone_name=c["timezone"],
                                emails=form.email_choices())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Profile saved.")
            return redirect("portal:profile")
    calendar = calendar_pages.calendar_context(request, workspace=request.freelancer.workspace,
                                               audience=CalendarAudience.FREELANCER,
                                               action_url=reverse("portal:calendar_feed"))
    return render_portal(request, "portal/profile.html", {"form": form, **calendar}, tab="profile")


@portal_required
@require_POST
def calendar_feed(request):
    """Create, rotate or revoke the freelancer's private calendar link for this workspace."""
    return calendar_pages.calendar_action(request, workspace=request.freelancer.workspace,
                                          audience=CalendarAudience.FREELANCER, back="portal:profile")


@portal_required
def money_overview(request):
    statement = money.freelancer_statement(request.freelancer)
    if request.GET.get("format") == "csv":
        name = slugify(f"{request.freelancer.workspace.name} statement") or "statement"
        return statement_csv_response(statement, f"{name}.csv", engagement_columns=False)
    return render_portal(request, "portal/money.html", {
        "statement": statement,
        "money": money.freelancer_money(request.freelancer),
        "escrow_lines": money.freelancer_escrow_lines(request.freelancer),
        "owed_by_engagement": money.freelancer_owed_by_engagement(request.freelancer),
        "payouts": Payout.objects.filter(freelancer=request.freelancer).select_related("engagement")[:50],
    }, tab="money")
