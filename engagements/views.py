"""Owner pages for engagements. Thin: fetch through `get_for_workspace` (404 outside the
workspace), validate a form, call one action, redirect. Pages render in the viewer's time zone.

Supporting pages (playbook documents, update prompts, reliability) are in views_more.py.
"""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.access import get_for_workspace, workspace_required
from freelancers.models import Freelancer

from . import briefs, grants, playbook, reporting, reviews, selectors, services, work
from .forms import (
    AccessGrantForm,
    AnswerForm,
    AttachPlaybookForm,
    BriefForm,
    CheckInForm,
    CheckInRecordForm,
    EndForm,
    EngagementForm,
    FeedbackForm,
    MilestoneForm,
    ReviewForm,
    apply_errors,
)
from .models import (
    AccessGrant,
    Brief,
    BriefQuestion,
    CheckIn,
    CheckInStatus,
    Engagement,
    EngagementKind,
    EngagementStatus,
    Milestone,
    MilestoneState,
    Review,
    StatusUpdate,
    SubmissionFile,
)
from .transitions import ConflictError, can_engagement_transition


def owner_page(view):
    """workspace_required, and the page rendered in the viewer's time zone."""

    @wraps(view)
    @workspace_required
    def wrapper(request, *args, **kwargs):
        tz = getattr(request.user, "tzinfo", None) or request.workspace.tzinfo
        with timezone.override(tz):
            return view(request, *args, **kwargs)

    return wrapper


def _engagement(request, pk):
    return get_for_workspace(request, Engagement.objects.select_related("freelancer", "workspace"), pk=pk)


def _child(request, model, engagement, pk, **extra):
    """An object hanging from the engagement, scoped through the engagement's workspace."""
    return get_for_workspace(request, model.objects.filter(engagement=engagement, **extra), pk=pk,
                             workspace_path="engagement__workspace")


def _conflict(request, exc, to):
    messages.error(request, str(exc))
    return redirect(to)


# --- List, create, edit -------------------------------------------------------------------------
STATUS_FILTERS = [("", "Any status")] + list(EngagementStatus.choices)


@owner_page
def engagement_list(request):
    workspace = request.workspace
    status = request.GET.get("status", "")
    status = status if status in EngagementStatus.values else ""
    freelancer_id = request.GET.get("freelancer", "")
    freelancer_id = int(freelancer_id) if freelancer_id.isdigit() else None
    at_risk = request.GET.get("at_risk") == "1"
    rows = selectors.engagement_list(workspace, status=status or None, freelancer_id=freelancer_id, at_risk=at_risk)
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "engagements/list.html", {
        "page": page, "status": status, "freelancer_id": freelancer_id, "at_risk": at_risk,
        "status_choices": STATUS_FILTERS,
        "freelancers": Freelancer.objects.filter(workspace=workspace, engagements__isnull=False).distinct()
        .order_by("name").only("pk", "name"),
        "counts": selectors.engagement_counts(workspace),
        "to_rotate": selectors.rotation_checklist(workspace),
        "querystring": query.urlencode(), "now": timezone.now(),
        "filtered": bool(status or freelancer_id or at_risk),
    })


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
            engagement = services.engagement_create(
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
    engagement = _engagement(request, pk)
    form = EngagementForm(request.POST or None, workspace=request.workspace, engagement=engagement)
    if request.method == "POST" and form.is_valid():
        fields = form.engagement_fields()
        if form.fields["currency"].disabled:
            fields.pop("currency")
        try:
            services.engagement_update(
                engagement=engagement, actor=request.user, backups=list(form.cleaned_data["backups"]),
                freelancer=None if form.fields["freelancer"].disabled else form.cleaned_data["freelancer"], **fields,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except ConflictError as exc:
            return _conflict(request, exc, engagement_url(engagement))
        else:
            messages.success(request, "Engagement saved.")
            return redirect(engagement_url(engagement))
    return render(request, "engagements/form.html", {"form": form, "engagement": engagement,
                                                      "title": f"Edit {engagement.title}", "submit": "Save"})


def engagement_url(engagement):
    return reverse("engagements:detail", kwargs={"pk": engagement.pk})


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
        m.overdue = bool(m.due_at and m.due_at < now and m.state in selectors.OPEN_WORK_STATES
                         and engagement.status == EngagementStatus.ACTIVE)
    brief = briefs.current_brief(engagement)
    grant_rows = list(selectors.grants_for(engagement))
    next_milestone = min((m for m in milestones if m.due_at and m.state in selectors.OPEN_WORK_STATES),
                         key=lambda m: m.due_at, default=None)
    review = Review.objects.filter(engagement=engagement).first()
    return render(request, "engagements/detail.html", {
        "engagement": engagement, "milestones": milestones, "brief": brief,
        "awaiting_ack": briefs.brief_awaiting_acknowledgement(engagement, brief),
        "latest_update": selectors.latest_update(engagement),
        "open_questions": list(selectors.open_questions(engagement)),
        "timeline": list(selectors.timeline(engagement, limit=15)),
        "budget": selectors.budget_figures(engagement, milestones),
        "grants": grant_rows,
        "live_grants": [g for g in grant_rows if not g.is_revoked],
        "to_rotate": [g for g in grant_rows if g.needs_rotation],
        "playbook": playbook.playbook_status(engagement),
        "next_milestone": next_milestone,
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
    engagement = _engagement(request, pk)
    page = Paginator(selectors.timeline(engagement), 50).get_page(request.GET.get("page"))
    return render(request, "engagements/timeline.html", {"engagement": engagement, "page": page})


# --- Lifecycle actions ------------------------------------------------------------------------------
LIFECYCLE = {
    "offer": (services.engagement_offer, "Offered: the freelancer was emailed the brief to acknowledge."),
    "withdraw": (services.engagement_withdraw, "The offer was withdrawn; the engagement is a draft again."),
    "pause": (services.engagement_pause, "Paused: no update or check-in deadlines run while paused."),
    "resume": (services.engagement_resume, "Resumed: the update cadence restarts from now."),
}


@owner_page
@require_POST
def engagement_action(request, pk, action):
    engagement = _engagement(request, pk)
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


@owner_page
def engagement_end(request, pk, outcome):
    """Complete or cancel, after a confirmation page that says what will happen."""
    engagement = _engagement(request, pk)
    if outcome not in ("complete", "cancel"):
        raise Http404("No such action")
    form = EndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        func = services.engagement_complete if outcome == "complete" else services.engagement_cancel
        try:
            func(engagement=engagement, actor=request.user, reason=form.cleaned_data["reason"])
        except ConflictError as exc:
            return _conflict(request, exc, engagement_url(engagement))
        messages.success(request, f"Engagement {'completed' if outcome == 'complete' else 'cancelled'}. "
                                  "Every access grant was revoked; rotate the secrets on the checklist.")
        return redirect("engagements:review", pk=engagement.pk)
    return render(request, "engagements/end.html", {
        "engagement": engagement, "form": form, "outcome": outcome,
        "live_grants": AccessGrant.objects.filter(engagement=engagement, revoked_at__isnull=True),
        "open_money": engagement.milestones.filter(state__in=services.MONEY_STATES),
        "draft_milestones": engagement.milestones.filter(state=MilestoneState.DRAFT).count(),
    })


# --- Brief ---------------------------------------------------------------------------------------
@owner_page
def brief_detail(request, pk):
    engagement = _engagement(request, pk)
    versions = list(Brief.objects.filter(engagement=engagement).select_related("created_by", "acknowledged_by"))
    if not versions:
        return redirect("engagements:brief_edit", pk=pk)
    wanted = request.GET.get("v", "")
    brief = next((b for b in versions if str(b.version) == wanted), versions[0])
    questions = BriefQuestion.objects.filter(engagement=engagement).select_related("asked_by", "answered_by", "brief")
    return render(request, "engagements/brief.html", {
        "engagement": engagement, "brief": brief, "versions": versions, "current": versions[0],
        "questions": questions, "answer_form": AnswerForm(),
        "previous": next((b for b in versions if b.version == brief.version - 1), None),
    })


@owner_page
def brief_edit(request, pk):
    engagement = _engagement(request, pk)
    current = briefs.current_brief(engagement)
    needs_summary = bool(current and current.sent_at)
    form = BriefForm(request.POST or None, brief=current, needs_summary=needs_summary)
    if request.method == "POST" and form.is_valid():
        try:
            brief, created = briefs.brief_save(engagement=engagement, actor=request.user,
                                               change_summary=form.cleaned_data.get("change_summary", ""),
                                               **form.sections())
        except ValidationError as exc:
            apply_errors(form, exc)
        except ConflictError as exc:
            return _conflict(request, exc, engagement_url(engagement))
        else:
            if brief.sent_at and created and brief.version > 1:
                messages.success(request, f"Brief v{brief.version} sent: the freelancer was asked to acknowledge it.")
            elif current is not None and not created and brief.pk == current.pk and not form.has_changed():
                messages.info(request, "Nothing changed.")
            else:
                messages.success(request, f"Brief v{brief.version} saved.")
            return redirect("engagements:brief", pk=engagement.pk)
    return render(request, "engagements/brief_edit.html", {
        "engagement": engagement, "form": form, "current": current, "needs_summary": needs_summary,
    })


@owner_page
def brief_diff(request, pk):
    engagement = _engagement(request, pk)
    versions = {b.version: b for b in Brief.objects.filter(engagement=engagement)}
    if not versions:
        raise Http404("No brief yet")
    latest = max(versions)
    try:
        new = versions[int(request.GET.get("to", latest))]
        old = versions[int(request.GET.get("from", new.version - 1))]
    except (KeyError, ValueError):
        raise Http404("No such version") from None
    sections = briefs.brief_diff(old, new)
    return render(request, "engagements/brief_diff.html", {
        "engagement": engagement, "old": old, "new": new, "sections": sections, "versions": sorted(versions),
        "unchanged": [s["label"] for s in sections if not s["changed"]],
        "changed_any": any(s["changed"] for s in sections),
    })


@owner_page
@require_POST
def question_answer(request, pk, question_pk):
    engagement = _engagement(request, pk)
    question = _child(request, BriefQuestion, engagement, question_pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        briefs.brief_question_answer(question=question, actor=request.user, answer=form.cleaned_data["answer"])
        messages.success(request, "Answer sent to the freelancer.")
    else:
        messages.error(request, "Write an answer first.")
    return redirect(reverse("engagements:brief", kwargs={"pk": pk}) + f"#q{question.pk}")


# --- Milestones -------------------------------------------------------------------------------------
def _warn(request, warnings):
    for warning in warnings:
        messages.warning(request, warning)


@owner_page
def milestone_create(request, pk):
    engagement = _engagement(request, pk)
    form = MilestoneForm(request.POST or None, engagement=engagement)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            milestone, warnings = work.milestone_create(
                engagement=engagement, actor=request.user, title=c["title"],
                acceptance_criteria=c["acceptance_criteria"], due_on=c["due_on"], amount=c["amount"],
                confirm_over_budget=c["confirm_over_budget"])
        except ValidationError as exc:
            apply_errors(form, exc)
        except ConflictError as exc:
            return _conflict(request, exc, engagement_url(engagement))
        else:
            _warn(request, warnings)
            messages.success(request, f"Milestone “{milestone.title}” added.")
            return redirect(engagement_url(engagement) + "#milestones")
    return render(request, "engagements/milestone_form.html", {
        "engagement": engagement, "form": form, "title": "Add a milestone", "submit": "Add milestone",
        "planned": work.planned_total(engagement),
    })


@owner_page
def milestone_edit(request, pk, milestone_pk):
    engagement = _engagement(request, pk)
    milestone = _child(request, Milestone, engagement, milestone_pk)
    if milestone.is_final:
        messages.error(request, f"A {milestone.get_state_display().lower()} milestone cannot be changed.")
        return redirect("engagements:milestone", pk=pk, milestone_pk=milestone_pk)
    form = MilestoneForm(request.POST or None, engagement=engagement, milestone=milestone)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            _, warnings = work.milestone_update(
                milestone=milestone, actor=request.user, title=c["title"], acceptance_criteria=c["acceptance_criteria"],
                due_on=c["due_on"], amount=c["amount"], confirm_over_budget=c["confirm_over_budget"])
        except ValidationError as exc:
            apply_errors(form, exc)
        except ConflictError as exc:
            return _conflict(request, exc, engagement_url(engagement))
        else:
            _warn(request, warnings)
            messages.success(request, "Milestone saved.")
            return redirect("engagements:milestone", pk=pk, milestone_pk=milestone_pk)
    return render(request, "engagements/milestone_form.html", {
        "engagement": engagement, "milestone": milestone, "form": form, "title": f"Edit “{milestone.title}”",
        "submit": "Save", "planned": work.planned_total(engagement),
    })


@owner_page
def milestone_detail(request, pk, milestone_pk):
    engagement = _engagement(request, pk)
    milestone = _child(request, Milestone, engagement, milestone_pk)
    submissions = list(selectors.submissions_for(milestone))
    if submissions:
        submissions[0].shown_outcome = selectors.latest_round_outcome(milestone, submissions[0])
    return render(request, "engagements/milestone.html", {
        "engagement": engagement, "milestone": milestone, "submissions": submissions,
        "feedback_form": FeedbackForm(), "money_actions": selectors.money_actions(milestone),
        "now": timezone.now(),
    })


@owner_page
@require_POST
def milestone_request_changes(request, pk, milestone_pk):
    engagement = _engagement(request, pk)
    milestone = _child(request, Milestone, engagement, milestone_pk)
    back = reverse("engagements:milestone", kwargs={"pk": pk, "milestone_pk": milestone_pk})
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say what needs to change.")
        return redirect(back)
    try:
        work.milestone_request_changes(milestone=milestone, actor=request.user, feedback=form.cleaned_data["feedback"])
    except ConflictError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Changes requested; the freelancer was emailed your feedback.")
    return redirect(back)


@owner_page
@require_POST
def milestone_delete(request, pk, milestone_pk):
    engagement = _engagement(request, pk)
    milestone = _child(request, Milestone, engagement, milestone_pk)
    try:
        work.milestone_delete(milestone=milestone, actor=request.user)
    except ConflictError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Milestone “{milestone.title}” removed.")
    return redirect(engagement_url(engagement) + "#milestones")


@owner_page
@require_POST
def milestone_move(request, pk, milestone_pk):
    engagement = _engagement(request, pk)
    milestone = _child(request, Milestone, engagement, milestone_pk)
    try:
        work.milestone_move(milestone=milestone, actor=request.user,
                            direction=-1 if request.POST.get("direction") == "up" else 1)
    except ConflictError as exc:
        messages.error(request, str(exc))
    return redirect(engagement_url(engagement) + "#milestones")


@owner_page
def submission_file(request, pk, file_pk):
    engagement = _engagement(request, pk)
    stored = get_for_workspace(
        request, SubmissionFile.objects.filter(submission__milestone__engagement=engagement), pk=file_pk,
        workspace_path="submission__milestone__engagement__workspace",
    )
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError:
        raise Http404("File missing") from None
    response = FileResponse(handle, as_attachment=True, filename=stored.original_name,
                            content_type=stored.content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Status updates and check-ins -----------------------------------------------------------------
@owner_page
def status_updates(request, pk):
    engagement = _engagement(request, pk)
    page = Paginator(StatusUpdate.objects.filter(engagement=engagement).select_related("freelancer"), 20).get_page(
        request.GET.get("page"))
    counts = StatusUpdate.objects.filter(engagement=engagement).aggregate(
        total=Count("pk"), late=Count("pk", filter=Q(late=True)))
    return render(request, "engagements/updates.html", {"engagement": engagement, "page": page, "counts": counts,
                                                         "now": timezone.now()})


@owner_page
def checkins(request, pk):
    engagement = _engagement(request, pk)
    form = CheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            reporting.checkin_schedule(engagement=engagement, actor=request.user, scheduled_at=c["scheduled_at"],
                                       agenda=c["agenda"], duration_minutes=c["duration_minutes"],
                                       meeting_url=c["meeting_url"])
        except ValidationError as exc:
            apply_errors(form, exc)
        except ConflictError as exc:
            return _conflict(request, exc, engagement_url(engagement))
        else:
            messages.success(request, "Check-in scheduled." + (
                " The freelancer was emailed an invitation." if engagement.status != EngagementStatus.DRAFT else ""))
            return redirect("engagements:checkins", pk=pk)
    rows = CheckIn.objects.filter(engagement=engagement).select_related("created_by", "recorded_by")
    return render(request, "engagements/checkins.html", {
        "engagement": engagement, "form": form, "now": timezone.now(),
        "upcoming": [c for c in rows if c.status == CheckInStatus.SCHEDULED][::-1],
        "past": [c for c in rows if c.status != CheckInStatus.SCHEDULED],
        "freelancer_tz": engagement.freelancer.timezone,
    })


@owner_page
def checkin_detail(request, pk, checkin_pk):
    engagement = _engagement(request, pk)
    checkin = _child(request, CheckIn, engagement, checkin_pk)
    record_form = CheckInRecordForm(request.POST if request.POST.get("form") == "record" else None,
                                    initial={"notes": checkin.notes})
    edit_form = CheckInForm(request.POST if request.POST.get("form") == "edit" else None, initial={
        "scheduled_at": timezone.localtime(checkin.scheduled_at), "duration_minutes": checkin.duration_minutes,
        "meeting_url": checkin.meeting_url, "agenda": checkin.agenda})
    if request.method == "POST":
        try:
            if request.POST.get("form") == "record" and record_form.is_valid():
                reporting.checkin_record(checkin=checkin, actor=request.user,
                                         happened=record_form.cleaned_data["happened"],
                                         notes=record_form.cleaned_data["notes"])
                messages.success(request, "Check-in recorded.")
                return redirect("engagements:checkins", pk=pk)
            if request.POST.get("form") == "edit" and edit_form.is_valid():
                c = edit_form.cleaned_data
                reporting.checkin_update(checkin=checkin, actor=request.user, scheduled_at=c["scheduled_at"],
                                         agenda=c["agenda"], duration_minutes=c["duration_minutes"],
                                         meeting_url=c["meeting_url"])
                messages.success(request, "Check-in saved.")
                return redirect("engagements:checkins", pk=pk)
        except ValidationError as exc:
            apply_errors(record_form if request.POST.get("form") == "record" else edit_form, exc)
        except ConflictError as exc:
            return _conflict(request, exc, reverse("engagements:checkins", kwargs={"pk": pk}))
    return render(request, "engagements/checkin.html", {
        "engagement": engagement, "checkin": checkin, "record_form": record_form, "edit_form": edit_form,
        "now": timezone.now(),
    })


@owner_page
@require_POST
def checkin_cancel(request, pk, checkin_pk):
    engagement = _engagement(request, pk)
    checkin = _child(request, CheckIn, engagement, checkin_pk)
    try:
        reporting.checkin_cancel(checkin=checkin, actor=request.user)
    except ConflictError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Check-in cancelled.")
    return redirect("engagements:checkins", pk=pk)


# --- Playbook on the engagement -------------------------------------------------------------------
@owner_page
def engagement_playbook(request, pk):
    engagement = _engagement(request, pk)
    form = AttachPlaybookForm(request.POST or None, engagement=engagement)
    if request.method == "POST" and form.is_valid():
        try:
            playbook.playbook_attach(engagement=engagement, document=form.cleaned_data["document"], actor=request.user)
        except ConflictError as exc:
            return _conflict(request, exc, engagement_url(engagement))
        messages.success(request, f"“{form.cleaned_data['document'].title}” attached.")
        return redirect("engagements:playbook", pk=pk)
    return render(request, "engagements/engagement_playbook.html", {
        "engagement": engagement, "form": form, "rows": playbook.playbook_status(engagement),
    })


@owner_page
@require_POST
def playbook_detach(request, pk, document_pk):
    engagement = _engagement(request, pk)
    document = get_for_workspace(request, engagement.playbook.all(), pk=document_pk)
    playbook.playbook_detach(engagement=engagement, document=document, actor=request.user)
    messages.success(request, f"“{document.title}” removed from this engagement.")
    return redirect("engagements:playbook", pk=pk)


# --- Access grants ----------------------------------------------------------------------------------
@sensitive_post_parameters("secret")
@owner_page
def access_grants(request, pk):
    engagement = _engagement(request, pk)
    form = AccessGrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            grants.access_grant_create(engagement=engagement, actor=request.user, label=c["label"], url=c["url"],
                                       username=c["username"], secret=c["secret"], notes=c["notes"])
        except ValidationError as exc:
            apply_errors(form, exc)
        except ConflictError as exc:
            return _conflict(request, exc, engagement_url(engagement))
        else:
            messages.success(request, f"Access “{c['label']}” shared.")
            return redirect("engagements:grants", pk=pk)
    return render(request, "engagements/grants.html", {
        "engagement": engagement, "form": form, "grants": list(selectors.grants_for(engagement)),
        "reveals": list(selectors.reveal_log(engagement)),
        "ended": engagement.status in services.ENDED,
    })


@sensitive_post_parameters("secret")
@owner_page
def access_grant_edit(request, pk, grant_pk):
    engagement = _engagement(request, pk)
    grant = _child(request, AccessGrant, engagement, grant_pk)
    if grant.is_revoked:
        messages.error(request, "This access was revoked; share a new one instead.")
        return redirect("engagements:grants", pk=pk)
    form = AccessGrantForm(request.POST or None, grant=grant)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            grants.access_grant_update(grant=grant, actor=request.user, label=c["label"], url=c["url"],
                                       username=c["username"], notes=c["notes"], secret=c["secret"] or None)
        except ValidationError as exc:
            apply_errors(form, exc)
        except ConflictError as exc:
            return _conflict(request, exc, reverse("engagements:grants", kwargs={"pk": pk}))
        else:
            messages.success(request, "Access saved.")
            return redirect("engagements:grants", pk=pk)
    return render(request, "engagements/form.html", {
        "engagement": engagement, "form": form, "title": f"Edit access “{grant.label}”", "submit": "Save",
        "back": reverse("engagements:grants", kwargs={"pk": pk}),
    })


@owner_page
@require_POST
def access_grant_action(request, pk, grant_pk, action):
    engagement = _engagement(request, pk)
    grant = _child(request, AccessGrant, engagement, grant_pk)
    try:
        if action == "revoke":
            grants.access_grant_revoke(grant=grant, actor=request.user, reason="Revoked by the owner")
            messages.success(request, f"Access “{grant.label}” revoked."
                             + (" Rotate the secret where it lives, then tick it off." if grant.has_secret else ""))
        elif action == "rotated":
            grants.access_grant_mark_rotated(grant=grant, actor=request.user)
            messages.success(request, f"Marked the secret for “{grant.label}” as rotated.")
        else:
            raise Http404("No such action")
    except ConflictError as exc:
        messages.error(request, str(exc))
    if request.POST.get("back") == "list":
        return redirect("engagements:list")
    return redirect("engagements:grants", pk=pk)


# --- Review -----------------------------------------------------------------------------------------
@owner_page
def review(request, pk):
    engagement = _engagement(request, pk)
    instance = Review.objects.filter(engagement=engagement).first() or Review(engagement=engagement)
    if not instance.pk:
        revoked = not AccessGrant.objects.filter(
            engagement=engagement).filter(Q(revoked_at__isnull=True) | Q(rotated_at__isnull=True, secret_token__gt="")
        ).exists()
        initial = {"access_revoked": revoked}
    else:
        initial = None
    form = ReviewForm(request.POST or None, instance=instance, initial=initial)
    ended = engagement.status in services.ENDED
    if request.method == "POST" and form.is_valid():
        try:
            reviews.review_save(engagement=engagement, actor=request.user, **form.review_fields())
        except ValidationError as exc:
            apply_errors(form, exc)
        except ConflictError as exc:
            return _conflict(request, exc, engagement_url(engagement))
        else:
            messages.success(request, "Review saved.")
            return redirect(engagement_url(engagement))
    return render(request, "engagements/review.html", {
        "engagement": engagement, "form": form, "ended": ended, "review": instance if instance.pk else None,
        "record": selectors.reliability_record(engagement.freelancer),
        "to_rotate": AccessGrant.objects.filter(engagement=engagement, revoked_at__isnull=False,
                                                rotated_at__isnull=True).exclude(secret_token=""),
    })
