"""One engagement, as its freelancer sees it: the overview, the brief (acknowledging it, asking
about it), the playbook, status updates, check-ins, the access grants (the deliberate reveal),
its money and the end review. Thin: fetch through portal.access (404 for anything that is not
the current freelancer's), validate a form, call one engagements action, redirect. Times show
in the freelancer's time zone (portal_required activates it).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_POST

from accounts.forms import apply_errors
from engagements.models import (
    OPEN_STATUSES,
    AccessGrant,
    Brief,
    BriefQuestion,
    EngagementStatus,
    PlaybookDocument,
    PlaybookVersion,
    StatusUpdate,
)
from engagements.selectors import (
    agreement_block,
    brief_awaiting_acknowledgement,
    brief_diff,
    current_brief,
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

from ..access import engagement_child, portal_engagement, portal_required
from ..forms import QuestionForm, StatusUpdateForm
from ..selectors import (
    checkins_by_time,
    engagement_money_for,
    engagement_todos,
    milestones_for_freelancer,
    paid_out,
    upcoming_checkins,
)
from ._helpers import conflict, render_portal


@portal_required
def engagement(request, pk):
    engagement = portal_engagement(request, pk)
    now = timezone.now()
    return render_portal(request, "portal/engagement.html", {
        "todos": engagement_todos(engagement),
        "brief": current_brief(engagement),
        "milestones": milestones_for_freelancer(engagement, now=now),
        "latest_update": StatusUpdate.objects.filter(engagement=engagement).first(),
        "next_checkin": upcoming_checkins(engagement, now=now).first(),
        "owed": money.owed_on(engagement),
        "paid": paid_out(engagement),
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
        "agreement_block": agreement_block(engagement, action="acknowledge the brief"),
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
        return conflict(request, exc, reverse("portal:brief", kwargs={"pk": pk}))
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
            return conflict(request, exc, reverse("portal:brief", kwargs={"pk": pk}))
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
        return conflict(request, exc, reverse("portal:playbook_document", kwargs={"pk": pk,
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
                return conflict(request, exc, reverse("portal:updates", kwargs={"pk": pk}))
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
    upcoming, past = checkins_by_time(engagement, now=timezone.now())
    return render_portal(request, "portal/checkins.html", {"upcoming": upcoming, "past": past},
                         engagement=engagement, tab="checkins")


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
        return conflict(request, exc, reverse("portal:grants", kwargs={"pk": pk}))
    response = render_portal(request, "portal/grant_reveal.html", {"grant": grant, "secret": secret},
                             engagement=engagement, tab="grants")
    response["Cache-Control"] = "no-store"
    return response


# --- Money and the review -------------------------------------------------------------------------
@portal_required
def engagement_money(request, pk):
    engagement = portal_engagement(request, pk)
    figures = engagement_money_for(request.freelancer, engagement)
    return render_portal(request, "portal/engagement_money.html", figures, engagement=engagement,
                         tab="engagement_money")


@portal_required
def review(request, pk):
    engagement = portal_engagement(request, pk)
    shared = shared_review(engagement) if engagement.is_ended else None
    return render_portal(request, "portal/review.html", {"review": shared}, engagement=engagement, tab="review")
