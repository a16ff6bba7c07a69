"""The freelancer's pages. Thin: fetch through portal.access (404 for anything that is not the
current freelancer's), validate a form, call one engagements or payments action, redirect.
Times show in the freelancer's time zone (portal_required activates it).

Milestones, files and timesheets are in views_work.py; invitations in views_public.py; the
owner's side in views_owner.py.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_POST

from accounts.forms import apply_errors
from engagements.models import (
    OPEN_STATUSES,
    OPEN_WORK_STATES,
    AccessGrant,
    Brief,
    BriefQuestion,
    CheckIn,
    CheckInStatus,
    EngagementStatus,
    PayTerms,
    PlaybookDocument,
    PlaybookVersion,
    StatusUpdate,
)
from engagements.selectors import (
    brief_awaiting_acknowledgement,
    brief_diff,
    current_brief,
    milestones_with_rounds,
    playbook_current_version,
    playbook_status,
    shared_review,
    update_prompts,
)
from engagements.services import access as grants
from engagements.services import brief as briefs
from engagements.services import lifecycle, playbook, reporting
from engagements.services.transitions import ConflictError, NotAllowed
from payments import selectors as money
from payments.models import Payout
from payments.statements import statement_csv_response

from .access import SESSION_FREELANCER, engagement_child, portal_engagement, portal_required
from .forms import ProfileForm, QuestionForm, StatusUpdateForm
from .selectors import engagement_todos, my_engagements
from .services import email_categories, email_choices, portal_profile_save


def render_portal(request, template, context=None, *, engagement=None, tab=None):
    """Render a portal page with what the layout needs: the current profile, the others (for
    the switcher) and, on an engagement's pages, its tabs."""
    context = dict(context or {})
    context.update(freelancer=request.freelancer, profiles=request.portal_profiles, tab=tab)
    if engagement is not None:
        context.update(engagement=engagement, tabs=_tabs(engagement))
    return render(request, template, context)


def _tabs(engagement):
    tabs = [("engagement", "Overview"), ("brief", "Brief"), ("playbook", "Playbook"), ("updates", "Status updates"),
            ("checkins", "Check-ins"), ("grants", "Access")]
    if engagement.pay_terms == PayTerms.HOURLY:
        tabs.append(("timesheets", "Timesheets"))
    tabs.append(("engagement_money", "Money"))
    if engagement.is_ended:
        tabs.append(("review", "Review"))
    return tabs


def _conflict(request, exc, to):
    messages.error(request, str(exc))
    return redirect(to)


# --- Home, switching, profile ---------------------------------------------------------------------
@portal_required
def home(request):
    rows = my_engagements(request.freelancer)
    owed = money.freelancer_statement(request.freelancer).totals
    return render_portal(request, "portal/home.html", {
        "current": [r for r in rows if not r.engagement.is_ended],
        "finished": [r for r in rows if r.engagement.is_ended],
        "owed": owed,
    })


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
    return render_portal(request, "portal/profile.html", {"form": form}, tab="profile")


@portal_required
def money_overview(request):
    statement = money.freelancer_statement(request.freelancer)
    if request.GET.get("format") == "csv":
        name = slugify(f"{request.freelancer.workspace.name} statement") or "statement"
        return statement_csv_response(statement, f"{name}.csv", engagement_columns=False)
    return render_portal(request, "portal/money.html", {
        "statement": statement,
        "owed_by_engagement": money.freelancer_owed_by_engagement(request.freelancer),
        "payouts": Payout.objects.filter(freelancer=request.freelancer).select_related("engagement")[:50],
    }, tab="money")


# --- One engagement -------------------------------------------------------------------------------
@portal_required
def engagement(request, pk):
    engagement = portal_engagement(request, pk)
    milestones = list(milestones_with_rounds(engagement))
    held = money.escrow_by_milestone(engagement)
    now = timezone.now()
    for m in milestones:
        m.escrowed = held.get(m.pk, 0)
        m.overdue = bool(m.due_at and m.due_at < now and m.state in OPEN_WORK_STATES)
    return render_portal(request, "portal/engagement.html", {
        "todos": engagement_todos(engagement),
        "brief": current_brief(engagement),
        "milestones": milestones,
        "latest_update": StatusUpdate.objects.filter(engagement=engagement).first(),
        "next_checkin": CheckIn.objects.filter(engagement=engagement, status=CheckInStatus.SCHEDULED,
                                               scheduled_at__gte=timezone.now()).order_by("scheduled_at").first(),
        "owed": money.owed_on(engagement),
        "paid": Payout.objects.filter(engagement=engagement).aggregate(total=Sum("amount"))["total"] or 0,
        "now": now,
    }, engagement=engagement, tab="engagement")


@portal_required
def brief(request, pk):
    engagement = portal_engagement(request, pk)
    versions = list(Brief.objects.filter(engagement=engagement, sent_at__isnull=False).order_by("-version"))
    if not versions:
        messages.info(request, "There is no brief to read yet.")
        return redirect("portal:engagement", pk=pk)
    wanted = request.GET.get("v", "")
    shown = next((b for b in versions if str(b.version) == wanted), versions[0])
    previous = next((b for b in versions if b.version == shown.version - 1), None)
    return render_portal(request, "portal/brief.html", {
        "brief": shown, "current": versions[0], "versions": versions, "previous": previous,
        "diff": brief_diff(previous, shown) if previous else None,
        "awaiting": brief_awaiting_acknowledgement(engagement, versions[0]),
        "questions": BriefQuestion.objects.filter(engagement=engagement).select_related("brief", "answered_by"),
        "question_form": QuestionForm(),
        "can_ask": engagement.status in OPEN_STATUSES,
    }, engagement=engagement, tab="brief")


@portal_required
@require_POST
def brief_acknowledge(request, pk, brief_pk):
    engagement = portal_engagement(request, pk)
    brief = engagement_child(request, engagement, Brief, brief_pk)
    started = engagement.status == EngagementStatus.OFFERED
    try:
        brief = lifecycle.brief_acknowledge(brief_id=brief.pk, freelancer=request.freelancer)
    except NotAllowed:
        raise Http404 from None
    except ConflictError as exc:
        return _conflict(request, exc, reverse("portal:brief", kwargs={"pk": pk}))
    if started:
        messages.success(request, f"Brief v{brief.version} acknowledged: the engagement has started.")
    else:
        messages.success(request, f"Brief v{brief.version} acknowledged.")
    return redirect("portal:engagement", pk=pk)


@portal_required
@require_POST
def brief_ask(request, pk, brief_pk):
    engagement = portal_engagement(request, pk)
    brief = engagement_child(request, engagement, Brief, brief_pk, sent_at__isnull=False)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            briefs.brief_question_ask(brief_id=brief.pk, freelancer=request.freelancer, body=form.cleaned_data["body"])
        except NotAllowed:
            raise Http404 from None
        except ConflictError as exc:
            return _conflict(request, exc, reverse("portal:brief", kwargs={"pk": pk}))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Question sent. You will get an email when it is answered.")
            return redirect(f"{reverse('portal:brief', kwargs={'pk': pk})}#questions")
    messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(f"{reverse('portal:brief', kwargs={'pk': pk})}#questions")


# --- Playbook -------------------------------------------------------------------------------------
def _document(request, engagement, document_pk):
    return engagement_child(request, engagement, PlaybookDocument, document_pk, path="engagements")


@portal_required
def playbook_list(request, pk):
    engagement = portal_engagement(request, pk)
    return render_portal(request, "portal/playbook.html", {
        "documents": playbook_status(engagement),
    }, engagement=engagement, tab="playbook")


@portal_required
def playbook_document(request, pk, document_pk):
    engagement = portal_engagement(request, pk)
    document = _document(request, engagement, document_pk)
    version = playbook_current_version(document)
    acknowledged = bool(version) and version.acknowledgements.filter(freelancer=request.freelancer).exists()
    return render_portal(request, "portal/playbook_document.html", {
        "document": document, "version": version, "acknowledged": acknowledged,
    }, engagement=engagement, tab="playbook")


@portal_required
@require_POST
def playbook_acknowledge(request, pk, document_pk):
    engagement = portal_engagement(request, pk)
    document = _document(request, engagement, document_pk)
    try:
        version = PlaybookVersion.objects.get(document=document, pk=int(request.POST.get("version", "0")))
    except (PlaybookVersion.DoesNotExist, ValueError):
        messages.error(request, "That version of the document does not exist any more; read the current one.")
        return redirect("portal:playbook_document", pk=pk, document_pk=document_pk)
    try:
        playbook.playbook_acknowledge(version_id=version.pk, freelancer=request.freelancer)
    except NotAllowed:
        raise Http404 from None
    except ConflictError as exc:
        return _conflict(request, exc, reverse("portal:playbook_document", kwargs={"pk": pk,
                                                                                 "document_pk": document_pk}))
    messages.success(request, f"“{document.title}” v{version.version} acknowledged.")
    return redirect("portal:playbook", pk=pk)


# --- Status updates and check-ins -----------------------------------------------------------------
@portal_required
def updates(request, pk):
    engagement = portal_engagement(request, pk)
    prompts = update_prompts(engagement.workspace)
    history = StatusUpdate.objects.filter(engagement=engagement)
    last = history.first()
    form = StatusUpdateForm(request.POST or None, prompts=prompts,
                            initial={"percent_complete": last.percent_complete if last else 0})
    can_post = engagement.status in {EngagementStatus.ACTIVE, EngagementStatus.PAUSED}
    if request.method == "POST":
        if not can_post:
            messages.error(request, f"Updates are posted while the engagement is under way; it is "
                                    f"{engagement.get_status_display().lower()}.")
            return redirect("portal:updates", pk=pk)
        if form.is_valid():
            c = form.cleaned_data
            try:
                update = reporting.status_update_post(
                    engagement_id=engagement.pk, freelancer=request.freelancer, done=c["done"], next=c["next"],
                    blockers=c["blockers"], percent_complete=c["percent_complete"], hours=c["hours"],
                )
            except NotAllowed:
                raise Http404 from None
            except ConflictError as exc:
                return _conflict(request, exc, reverse("portal:updates", kwargs={"pk": pk}))
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "Update posted" + (" (it came after the deadline)." if update.late
                                                             else ", on time. Thank you."))
                return redirect("portal:updates", pk=pk)
    engagement.refresh_from_db(fields=["next_update_due_at"])
    return render_portal(request, "portal/updates.html", {
        "form": form, "history": history[:100], "can_post": can_post, "now": timezone.now(),
        "cadence": engagement.update_every_days,
    }, engagement=engagement, tab="updates")


@portal_required
def checkins(request, pk):
    engagement = portal_engagement(request, pk)
    now = timezone.now()
    rows = list(CheckIn.objects.filter(engagement=engagement).order_by("-scheduled_at"))
    return render_portal(request, "portal/checkins.html", {
        "upcoming": sorted([c for c in rows if c.status == CheckInStatus.SCHEDULED and c.scheduled_at >= now],
                           key=lambda c: c.scheduled_at),
        "past": [c for c in rows if not (c.status == CheckInStatus.SCHEDULED and c.scheduled_at >= now)],
    }, engagement=engagement, tab="checkins")


# --- Access grants --------------------------------------------------------------------------------
@portal_required
def grants_list(request, pk):
    engagement = portal_engagement(request, pk)
    return render_portal(request, "portal/grants.html", {
        "grants": AccessGrant.objects.filter(engagement=engagement).order_by("revoked_at", "label", "pk"),
        "can_reveal": engagement.status == EngagementStatus.ACTIVE,
    }, engagement=engagement, tab="grants")


@sensitive_variables("secret")
@never_cache
@portal_required
@require_POST
def grant_reveal(request, pk, grant_pk):
    """The deliberate reveal: the secret is shown on this response only (never stored in a page
    that can be cached or reloaded), and the engagements action logs who and when."""
    engagement = portal_engagement(request, pk)
    grant = engagement_child(request, engagement, AccessGrant, grant_pk)
    try:
        secret = grants.access_grant_reveal(grant_id=grant.pk, freelancer=request.freelancer, user=request.user,
                                            ip_address=request.META.get("REMOTE_ADDR"), via="portal")
    except NotAllowed:
        raise Http404 from None
    except ConflictError as exc:
        return _conflict(request, exc, reverse("portal:grants", kwargs={"pk": pk}))
    response = render_portal(request, "portal/grant_reveal.html", {"grant": grant, "secret": secret},
                             engagement=engagement, tab="grants")
    response["Cache-Control"] = "no-store"
    return response


# --- Money and the review -------------------------------------------------------------------------
@portal_required
def engagement_money(request, pk):
    engagement = portal_engagement(request, pk)
    statement = money.freelancer_statement(request.freelancer)
    lines = [line for line in statement.currency_lines.get(engagement.currency, [])
             if line.engagement and line.engagement.pk == engagement.pk]
    held = money.escrow_by_milestone(engagement)
    milestones = list(engagement.milestones.order_by("position", "pk"))
    for m in milestones:
        m.escrowed = held.get(m.pk, 0)
    earned = sum(line.earned for line in lines)
    paid = sum(line.paid_out for line in lines)
    return render_portal(request, "portal/engagement_money.html", {
        "lines": lines, "earned": earned, "paid": paid, "owed": money.owed_on(engagement),
        "milestones": milestones, "in_escrow": sum(m.escrowed for m in milestones),
        "payouts": Payout.objects.filter(engagement=engagement),
    }, engagement=engagement, tab="engagement_money")


@portal_required
def review(request, pk):
    engagement = portal_engagement(request, pk)
    shared = shared_review(engagement) if engagement.is_ended else None
    return render_portal(request, "portal/review.html", {"review": shared}, engagement=engagement, tab="review")
