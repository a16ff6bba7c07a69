"""The freelancer's home (what needs them, their money, the next two weeks, a card per
engagement), switching between the workspaces they freelance for, their profile (name, time
zone, emails) and their money overall."""


from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
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
from ..forms import ProfileForm
from ..front_door import freelancer_front_door
from ..selectors import email_categories, email_choices
from ..services.profile import portal_profile_save
from ._helpers import render_portal

# What the home page shows of each list however many engagements there are (the rest is one
# link away: the engagement cards a page at a time, every date in the calendar feed).
ATTENTION_SHOWN = 15
AGENDA_SHOWN = 30
CARDS_PER_PAGE = 20
FINISHED_SHOWN = 20
# The money page: the latest lines of the statement and of the escrow ledger (all in the CSV).
STATEMENT_LINES_SHOWN = 50
LEDGER_LINES_SHOWN = 50
OWED_PER_PAGE = 25


@portal_required
def home(request):
    front = freelancer_front_door(request.freelancer, shown=ATTENTION_SHOWN, agenda_shown=AGENDA_SHOWN,
                                  page=request.GET.get("page"), per_page=CARDS_PER_PAGE,
                                  finished_shown=FINISHED_SHOWN)
    return render_portal(request, "portal/home.html", {
        "home": front, "attention": front.attention, "agenda": front.agenda, "cards": front.cards,
        "finished": front.finished})


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
    if request.GET.get("format") == "csv":
        name = slugify(f"{request.freelancer.workspace.name} statement") or "statement"
        return statement_csv_response(money.freelancer_statement(request.freelancer), f"{name}.csv",
                                      engagement_columns=False)
    # The page shows the latest lines (balances run over all of them, summed in SQL); the CSV has
    # every one.
    statement, statement_lines = money.freelancer_statement_latest(request.freelancer, lines=STATEMENT_LINES_SHOWN)
    owed = Paginator(money.freelancer_owed_by_engagement(request.freelancer), OWED_PER_PAGE)
    owed = owed.get_page(request.GET.get("page"))
    escrow_lines, escrow_lines_total = money.freelancer_escrow_lines_latest(request.freelancer,
                                                                           lines=LEDGER_LINES_SHOWN)
    return render_portal(request, "portal/money.html", {
        "statement": statement,
        "statement_lines": statement_lines,
        "money": money.freelancer_money(request.freelancer),
        "escrow_lines": escrow_lines,
        "escrow_lines_total": escrow_lines_total,
        "owed_by_engagement": owed,
        "payouts": Payout.objects.filter(freelancer=request.freelancer).select_related("engagement")[:50],
    }, tab="money")
