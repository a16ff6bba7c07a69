"""Owner pages for the engagement itself: the list, creating and editing, the detail page and
timeline, the lifecycle actions, the end and the review."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.forms import apply_errors
from accounts.kept import kept_part
from freelancers.models import Freelancer

from .. import selectors
from ..forms import EndForm, EngagementForm, ReviewForm
from ..models import (
    MONEY_HELD_STATES,
    OPEN_WORK_STATES,
    AccessGrant,
    Engagement,
    EngagementKind,
    EngagementStatus,
    MilestoneState,
    Review,
)
from ..services import lifecycle
from ..services.review import review_save
from ..services.transitions import ConflictError, can_engagement_transition
from ._helpers import conflict, engagement_for, engagement_url, owner_page

# --- List, create, edit -------------------------------------------------------------------------
STATUS_FILTERS = [("", "Any status")] + list(EngagementStatus.choices)
# Up to this many freelancers the filter is a list to pick from; beyond, a name to type.
FREELANCER_SELECT_MAX = 100


@owner_page
def engagement_list(request):
    now = timezone.now()
    # Kept until the workspace's rows change or the minute turns (accounts/kept.py).
    content = kept_part(request, "engagement_list", "engagements/_list_content.html",
                        lambda: _engagement_list_context(request, now), now=now)
    return render(request, "engagements/list.html", {"content": content})


def _engagement_list_context(request, now):
    workspace = request.workspace
    status = request.GET.get("status", "")
    status = status if status in EngagementStatus.values else ""
    freelancer_id = request.GET.get("freelancer", "")
    freelancer_id = int(freelancer_id) if freelancer_id.isdigit() else None
    freelancer_name = request.GET.get("freelancer_name", "").strip()[:150]
    at_risk = request.GET.get("at_risk") == "1"
    rows = selectors.engagement_list(workspace, status=status or None, freelancer_id=freelancer_id,
                                     freelancer_name=freelancer_name, at_risk=at_risk, reader=request.user, now=now)
    freelancers = list(Freelancer.objects.filter(workspace=workspace, engagements__isnull=False).distinct()
                       .order_by("name").only("pk", "name")[:FREELANCER_SELECT_MAX + 1])
    filtered = bool(status or freelancer_id or freelancer_name or at_risk)
    counts = selectors.engagement_counts(workspace)
    paginator = Paginator(rows, 25)
    if not filtered:  # the list is every engagement: counted already, with the figures above it
        paginator.count = counts["all"]
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "page": page, "status": status, "freelancer_id": freelancer_id, "at_risk": at_risk,
        "status_choices": STATUS_FILTERS,
        "freelancers": freelancers if len(freelancers) <= FREELANCER_SELECT_MAX else None,
        "freelancer_name": freelancer_name,
        "counts": counts,
        "to_rotate": selectors.rotation_checklist(workspace),
        "querystring": query.urlencode(), "now": now,
        "filtered": filtered,
    }


@owner_page
def engagement_create(request):
    workspace = request.workspace
    initial = {}
    freelancer_param = request.GET.get("freelancer", "")
    if freelancer_param.isdigit():
        preselected = Freelancer.objects.filter(workspace=workspace, pk=int(freelancer_param)).first()
        if preselected is not None:
            initial["freelancer"] = preselected.pk
            initial["currency"] = preselected.currency or workspace.currency
    if request.GET.get("kind") in EngagementKind.values:
        initial["kind"] = request.GET["kind"]
        if initial["kind"] == EngagementKind.TRIAL:
            name = Freelancer.objects.filter(pk=initial.get("freelancer")).values_list("name", flat=True).first()
            initial["title"] = f"Trial job: {name}" if name else "Trial job"
            initial["update_every_days"] = 2
    form = EngagementForm(request.POST or None, workspace=workspace, initial=initial or None)
    if request.method == "POST" and form.is_valid():
        try:
            engagement = lifecycle.engagement_create(
                workspace=workspace, created_by=request.user, freelancer=form.cleaned_data["freelancer"],
                backups=list(form.cleaned_data["backups"]), **form.engagement_fields(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Engagement created. Next: write the brief.")
            return redirect("engagements:brief_edit", pk=engagement.pk)
    return render(request, "engagements/form.html", {"form": form, "title": "New engagement",
                                                      "submit": "Create engagement"})


@owner_page
def engagement_edit(request, pk):
    engagement = engagement_for(request, pk)
    form = EngagementForm(request.POST or None, workspace=request.workspace, engagement=engagement)
    if request.method == "POST" and form.is_valid():
        fields = form.engagement_fields()
        if form.fields["currency"].disabled:
            fields.pop("currency")
        try:
            lifecycle.engagement_update(
                engagement=engagement, actor=request.user, backups=list(form.cleaned_data["backups"]),
                freelancer=None if form.fields["freelancer"].disabled else form.cleaned_data["freelancer"], **fields,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except ConflictError as exc:
            return conflict(request, exc, engagement_url(engagement))
        else:
            messages.success(request, "Engagement saved.")
            return redirect(engagement_url(engagement))
    return render(request, "engagements/form.html", {"form": form, "engagement": engagement,
                                                      "title": f"Edit {engagement.title}", "submit": "Save"})


# --- Detail ---------------------------------------------------------------------------------------
@owner_page
def engagement_detail(request, pk):
    try:
        engagement = selectors.engagement_detail(request.workspace, pk)
    except Engagement.DoesNotExist:
        raise Http404("No such engagement") from None
    now = timezone.now()
    milestones = list(selectors.milestones_with_rounds(engagement))
    for m in milestones:
        m.overdue = bool(m.due_at and m.due_at < now and m.state in OPEN_WORK_STATES
                         and engagement.status == EngagementStatus.ACTIVE)
    brief = selectors.current_brief(engagement)
    grant_rows = list(selectors.grants_for(engagement))
    next_milestone = min((m for m in milestones if m.due_at and m.state in OPEN_WORK_STATES),
                         key=lambda m: m.due_at, default=None)
    review = getattr(engagement, "review", None)  # read with the engagement
    planned_checkin = selectors.upcoming_checkins(engagement).first()
    return render(request, "engagements/detail.html", {
        "engagement": engagement, "milestones": milestones, "brief": brief,
        "awaiting_ack": selectors.brief_awaiting_acknowledgement(engagement, brief),
        "latest_update": selectors.latest_update(engagement),
        "open_questions": list(selectors.open_questions(engagement)),
        "timeline": list(selectors.timeline(engagement, limit=15)),
        "budget": selectors.budget_figures(engagement, milestones),
        "grants": grant_rows,
        "live_grants": [g for g in grant_rows if not g.is_revoked],
        "to_rotate": [g for g in grant_rows if g.needs_rotation],
        "playbook": selectors.playbook_status(engagement),
        "next_milestone": next_milestone,
        "planned_checkin": planned_checkin,
        "reminder_state": selectors.ladder_status(engagement, read_again=False, planned_checkin=planned_checkin),
        "update_overdue": bool(engagement.status == EngagementStatus.ACTIVE and engagement.next_update_due_at
                               and engagement.next_update_due_at < now),
        "checkin_overdue": bool(engagement.next_checkin_at and engagement.next_checkin_at < now
                                and engagement.status == EngagementStatus.ACTIVE),
        "any_overdue_milestone": any(m.overdue for m in milestones),
        "review": review,
        "can": {s: can_engagement_transition(engagement, s) for s in EngagementStatus.values},
        "now": now,
    })


@owner_page
def engagement_timeline(request, pk):
    engagement = engagement_for(request, pk)
    page = Paginator(selectors.timeline(engagement), 50).get_page(request.GET.get("page"))
    return render(request, "engagements/timeline.html", {"engagement": engagement, "page": page})


# --- Lifecycle actions ------------------------------------------------------------------------------
LIFECYCLE = {
    "offer": (lifecycle.engagement_offer, "Offered: the freelancer was emailed the brief to acknowledge."),
    "withdraw": (lifecycle.engagement_withdraw, "The offer was withdrawn; the engagement is a draft again."),
    "pause": (lifecycle.engagement_pause, "Paused: no update or check-in deadlines run while paused."),
    "resume": (lifecycle.engagement_resume, "Resumed: the update cadence restarts from now."),
}


@owner_page
@require_POST
def engagement_action(request, pk, action):
    engagement = engagement_for(request, pk)
    if action not in LIFECYCLE:
        raise Http404("No such action")
    func, done = LIFECYCLE[action]
    try:
        func(engagement=engagement, actor=request.user)
    except (ConflictError, ValidationError) as exc:
        message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect(engagement_url(engagement))


def _ended_message(outcome, revoked):
    """What ending did, saying only what happened: grants are mentioned when there were some."""
    message = f"Engagement {'completed' if outcome == 'complete' else 'cancelled'}."
    if revoked:
        n = len(revoked)
        message += f" {'Its access grant was' if n == 1 else f'All {n} access grants were'} revoked"
        message += "; rotate the secrets on the checklist." if any(g.has_secret for g in revoked) else "."
    return message


@owner_page
def engagement_end(request, pk, outcome):
    """Complete or cancel, after a confirmation page that says what will happen."""
    engagement = engagement_for(request, pk)
    if outcome not in ("complete", "cancel"):
        raise Http404("No such action")
    form = EndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        func = lifecycle.engagement_complete if outcome == "complete" else lifecycle.engagement_cancel
        live = list(AccessGrant.objects.filter(engagement=engagement, revoked_at__isnull=True))
        try:
            func(engagement=engagement, actor=request.user, reason=form.cleaned_data["reason"])
        except ConflictError as exc:
            return conflict(request, exc, engagement_url(engagement))
        messages.success(request, _ended_message(outcome, live))
        return redirect("engagements:review", pk=engagement.pk)
    return render(request, "engagements/end.html", {
        "engagement": engagement, "form": form, "outcome": outcome,
        "live_grants": AccessGrant.objects.filter(engagement=engagement, revoked_at__isnull=True),
        "open_money": engagement.milestones.filter(state__in=MONEY_HELD_STATES),
        "draft_milestones": engagement.milestones.filter(state=MilestoneState.DRAFT).count(),
    })


# --- Review -----------------------------------------------------------------------------------------
@owner_page
def review(request, pk):
    engagement = engagement_for(request, pk)
    instance = Review.objects.filter(engagement=engagement).first() or Review(engagement=engagement)
    if not instance.pk:
        revoked = not AccessGrant.objects.filter(
            engagement=engagement).filter(Q(revoked_at__isnull=True) | Q(rotated_at__isnull=True, secret_token__gt="")
        ).exists()
        initial = {"access_revoked": revoked}
    else:
        initial = None
    form = ReviewForm(request.POST or None, instance=instance, initial=initial)
    ended = engagement.is_ended
    if request.method == "POST" and form.is_valid():
        try:
            review_save(engagement=engagement, actor=request.user, **form.review_fields())
        except ValidationError as exc:
            apply_errors(form, exc)
        except ConflictError as exc:
            return conflict(request, exc, engagement_url(engagement))
        else:
            messages.success(request, "Review saved.")
            return redirect(engagement_url(engagement))
    return render(request, "engagements/review.html", {
        "engagement": engagement, "form": form, "ended": ended, "review": instance if instance.pk else None,
        "record": selectors.reliability_record(engagement.freelancer),
        "to_rotate": AccessGrant.objects.filter(engagement=engagement, revoked_at__isnull=False,
                                                rotated_at__isnull=True).exclude(secret_token=""),
    })
