"""Owner pages for the talent pool and vetting, and the referee's questionnaire (no login).

Views are thin: they parse a form, call one action, and show the result. Every object is
fetched through accounts.access.get_for_workspace, so anything outside the request's
workspace is a 404.
"""

import zoneinfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.access import get_for_workspace, workspace_required

from . import interviews as interview_actions
from . import references as reference_actions
from . import services, vetting
from .errors import TransitionError
from .forms import (
    CriteriaForm,
    DecisionForm,
    DeclineForm,
    DoNotHireForm,
    FilterForm,
    FreelancerForm,
    InterviewForm,
    QuestionnaireForm,
    ReferenceForm,
    SampleForm,
    ScorecardForm,
    TestimonialForm,
    apply_errors,
)
from .models import Freelancer, FreelancerStatus, Interview, Reference, Sample, Testimonial
from .selectors import (
    Filters,
    bench_rows,
    board,
    freelancer_search,
    with_counts,
    workspace_skills,
    workspace_timezones,
)


def _freelancer(request, pk):
    return get_for_workspace(request, Freelancer, pk=pk)


def _owned(request, model, pk):
    """Objects hanging from a freelancer: scoped through the freelancer's workspace."""
    return get_for_workspace(request, model.objects.select_related("freelancer__workspace"), pk=pk,
                             workspace_path="freelancer__workspace")


def _user_tz(request):
    return getattr(request.user, "timezone", "") or request.workspace.timezone


# --- Lists -------------------------------------------------------------------------------------
@workspace_required
def freelancer_list(request):
    workspace = request.workspace
    form = FilterForm(request.GET or None, timezones=workspace_timezones(workspace))
    filters = Filters()
    if form.is_valid():
        filters = Filters(**{k: v for k, v in form.cleaned_data.items() if v not in ("", None)})
    qs = freelancer_search(workspace, filters) if not form.is_bound or form.is_valid() else \
        freelancer_search(workspace, Filters())
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "freelancers/list.html", {
        "form": form, "page": page, "skills": workspace_skills(workspace), "query": query.urlencode(),
        "filtered": any(v for k, v in request.GET.items() if k != "page"),
    })


def _board_context(request, error=None, moved=None):
    return {"columns": board(request.workspace), "error": error, "moved": moved,
            "decision_statuses": services.DECISION_STATUSES}


@workspace_required
def pipeline_board(request):
    return render(request, "freelancers/board.html", _board_context(request))


@workspace_required
@require_POST
def pipeline_move(request, pk):
    """A card's move button. With htmx the board fragment comes back (counts included);
    without it, a redirect back to the board."""
    freelancer = _freelancer(request, pk)
    to_status = request.POST.get("to", "")
    error = None
    try:
        services.freelancer_move(freelancer=freelancer, to_status=to_status, actor=request.user)
    except TransitionError as exc:
        error = str(exc)
    if request.headers.get("HX-Request"):
        return render(request, "freelancers/board.html#board", _board_context(request, error, freelancer.pk))
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"{freelancer.name} moved to {FreelancerStatus(to_status).label.lower()}.")
    return redirect(request.POST.get("next") if request.POST.get("next") == reverse(
        "freelancers:detail", kwargs={"pk": pk}) else "freelancers:board")


@workspace_required
def bench_view(request):
    rows = []
    for freelancer in bench_rows(request.workspace):
        rows.append({"freelancer": freelancer, "review": vetting.last_review(freelancer)})
    return render(request, "freelancers/bench.html", {"rows": rows})


# --- Profile -----------------------------------------------------------------------------------
@workspace_required
def freelancer_create(request):
    form = FreelancerForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        try:
            freelancer = services.freelancer_create(workspace=request.workspace, actor=request.user,
                                                    **form.service_kwargs())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"{freelancer.name} was added as a prospect.")
            return redirect("freelancers:detail", pk=freelancer.pk)
    return render(request, "freelancers/form.html", {"form": form, "title": "Add a freelancer",
                                                     "submit": "Add freelancer"})


@workspace_required
def freelancer_edit(request, pk):
    freelancer = _freelancer(request, pk)
    form = FreelancerForm(request.POST or None, workspace=request.workspace, instance=freelancer)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                kwargs = form.service_kwargs()
                kwargs["timezone"] = kwargs.pop("timezone_name")
                services.freelancer_update(freelancer=freelancer, actor=request.user, **kwargs)
        except ValidationError as exc:
            freelancer.refresh_from_db()
            apply_errors(form, exc)
        else:
            messages.success(request, "Profile saved.")
            return redirect("freelancers:detail", pk=freelancer.pk)
    return render(request, "freelancers/form.html", {"form": form, "freelancer": freelancer,
                                                     "title": f"Edit {freelancer.name}", "submit": "Save"})


@workspace_required
def freelancer_detail(request, pk):
    freelancer = get_for_workspace(request, with_counts(Freelancer.objects.all()), pk=pk)
    return render(request, "freelancers/detail.html", {
        "freelancer": freelancer,
        "references": freelancer.references.all(),
        "interviews": freelancer.interviews.select_related("interviewer").prefetch_related("scores"),
        "samples": freelancer.samples.all(),
        "testimonials": freelancer.testimonials.select_related("verified_by"),
        "rate_changes": freelancer.rate_changes.select_related("changed_by")[:20],
        "events": freelancer.events.select_related("actor")[:30],
        "user_tz": _user_tz(request),
        "do_not_hire_form": DoNotHireForm(),
        "decision_statuses": services.DECISION_STATUSES,
    })


@workspace_required
@require_POST
def do_not_hire(request, pk):
    freelancer = _freelancer(request, pk)
    form = DoNotHireForm(request.POST)
    form.is_valid()
    reason = form.cleaned_data.get("reason", "")
    try:
        if request.POST.get("action") == "clear":
            services.freelancer_clear_do_not_hire(freelancer=freelancer, actor=request.user, reason=reason)
            messages.success(request, f"{freelancer.name} is no longer marked do not hire.")
        else:
            services.freelancer_mark_do_not_hire(freelancer=freelancer, actor=request.user, reason=reason)
            messages.success(request, f"{freelancer.name} is marked do not hire.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except TransitionError as exc:
        messages.error(request, str(exc))
    return redirect("freelancers:detail", pk=pk)


# --- Samples and testimonials ------------------------------------------------------------------
@workspace_required
def sample_add(request, pk):
    freelancer = _freelancer(request, pk)
    form = SampleForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            services.sample_add(freelancer=freelancer, actor=request.user, title=c["title"],
                                description=c["description"], url=c["url"], upload=c["file"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Sample added.")
            return redirect("freelancers:detail", pk=pk)
    return render(request, "freelancers/form.html", {
        "form": form, "freelancer": freelancer, "title": f"Add a sample for {freelancer.name}",
        "submit": "Add sample", "multipart": True,
    })


@workspace_required
def sample_download(request, pk):
    sample = _owned(request, Sample, pk)
    if not sample.file:
        raise Http404("No file")
    try:
        handle = sample.file.open("rb")
    except FileNotFoundError:
        raise Http404("File missing") from None
    response = FileResponse(handle, as_attachment=True, filename=sample.original_filename or "sample",
                            content_type=sample.content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@workspace_required
@require_POST
def sample_delete(request, pk):
    sample = _owned(request, Sample, pk)
    freelancer_pk = sample.freelancer_id
    with transaction.atomic():
        services.sample_delete(sample=sample)
    messages.success(request, "Sample removed.")
    return redirect("freelancers:detail", pk=freelancer_pk)


@workspace_required
def testimonial_add(request, pk):
    freelancer = _freelancer(request, pk)
    form = TestimonialForm(request.POST or None, freelancer=freelancer)
    if request.method == "POST" and form.is_valid():
        try:
            services.testimonial_add(freelancer=freelancer, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Testimonial added.")
            return redirect("freelancers:detail", pk=pk)
    return render(request, "freelancers/form.html", {
        "form": form, "freelancer": freelancer, "title": f"Add a testimonial for {freelancer.name}",
        "submit": "Add testimonial",
    })


@workspace_required
@require_POST
def testimonial_delete(request, pk):
    testimonial = _owned(request, Testimonial, pk)
    services.testimonial_delete(testimonial=testimonial)
    messages.success(request, "Testimonial removed.")
    return redirect("freelancers:detail", pk=testimonial.freelancer_id)


# --- References --------------------------------------------------------------------------------
@workspace_required
def reference_add(request, pk):
    freelancer = _freelancer(request, pk)
    form = ReferenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            with transaction.atomic():
                reference = reference_actions.reference_create(
                    freelancer=freelancer, name=c["name"], email=c["email"], relationship=c["relationship"],
                    company=c["company"],
                )
                if c["send_now"]:
                    reference_actions.reference_request(reference=reference, actor=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Questionnaire emailed to {reference.name}." if c["send_now"]
                             else f"{reference.name} added as a referee (not contacted yet).")
            return redirect("freelancers:detail", pk=pk)
    return render(request, "freelancers/form.html", {
        "form": form, "freelancer": freelancer, "title": f"Add a reference for {freelancer.name}",
        "submit": "Add reference",
        "intro": "The referee gets a short questionnaire by email (no account needed). The link works once "
                 "and expires after 14 days; we remind them at most twice, two days apart.",
    })


@workspace_required
@require_POST
def reference_request(request, pk):
    reference = _owned(request, Reference, pk)
    try:
        reference_actions.reference_request(reference=reference, actor=request.user)
    except TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Questionnaire emailed to {reference.name} ({reference.email}).")
    return redirect("freelancers:detail", pk=reference.freelancer_id)


@workspace_required
@require_POST
def reference_delete(request, pk):
    reference = _owned(request, Reference, pk)
    try:
        services.reference_delete(reference=reference)
    except TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Referee removed.")
    return redirect("freelancers:detail", pk=reference.freelancer_id)


# --- Interviews --------------------------------------------------------------------------------
@workspace_required
def interview_add(request, pk):
    freelancer = _freelancer(request, pk)
    tz_name = _user_tz(request)
    form = InterviewForm(request.POST or None, tz_name=tz_name)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            interview = interview_actions.interview_schedule(
                freelancer=freelancer, actor=request.user, scheduled_at=c["scheduled_at"],
                duration_minutes=c["duration_minutes"], kind=c["kind"], meeting_url=c["meeting_url"],
                organizer_timezone=tz_name,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Interview scheduled; {freelancer.name} was emailed a calendar invitation.")
            return redirect("freelancers:interview", pk=interview.pk)
    return render(request, "freelancers/interview_form.html", {
        "form": form, "freelancer": freelancer, "tz_name": tz_name, "title": f"Schedule an interview with "
        f"{freelancer.name}", "submit": "Schedule and email invitation",
    })


@workspace_required
def interview_detail(request, pk):
    interview = _owned(request, Interview, pk)
    freelancer = interview.freelancer
    criteria = [c.name for c in services.criteria_for(request.workspace)]
    existing = [s.criterion for s in interview.scores.all()]
    # A scorecard keeps the criteria it was scored on, then any added to the workspace's list since.
    names = existing + [c for c in criteria if c.lower() not in {e.lower() for e in existing}]
    form = ScorecardForm(request.POST or None, criteria=names, interview=interview)
    if request.method == "POST" and form.is_valid():
        try:
            interview_actions.interview_score(
                interview=interview, actor=request.user, scores=form.scores(),
                red_flags=form.cleaned_data["red_flags"], notes=form.cleaned_data["notes"],
                outcome=form.cleaned_data["outcome"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except TransitionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Scorecard saved.")
            return redirect("freelancers:scorecard", pk=freelancer.pk)
    return render(request, "freelancers/interview.html", {
        "interview": interview, "freelancer": freelancer, "form": form, "user_tz": _user_tz(request),
        "questions": interview_actions.SUGGESTED_QUESTIONS,
    })


@workspace_required
def interview_reschedule(request, pk):
    interview = _owned(request, Interview, pk)
    tz_name = _user_tz(request)
    initial = {
        "scheduled_at": interview.scheduled_at.astimezone(zoneinfo.ZoneInfo(tz_name)).replace(tzinfo=None),
        "duration_minutes": interview.duration_minutes, "kind": interview.kind,
        "meeting_url": interview.meeting_url,
    }
    form = InterviewForm(request.POST or None, tz_name=tz_name, initial=initial)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            interview_actions.interview_reschedule(
                interview=interview, actor=request.user, scheduled_at=c["scheduled_at"],
                duration_minutes=c["duration_minutes"], kind=c["kind"], meeting_url=c["meeting_url"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except TransitionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Interview updated; {interview.freelancer.name} was emailed the new time.")
            return redirect("freelancers:interview", pk=interview.pk)
    return render(request, "freelancers/interview_form.html", {
        "form": form, "freelancer": interview.freelancer, "tz_name": tz_name, "interview": interview,
        "title": f"Reschedule the interview with {interview.freelancer.name}", "submit": "Save and email update",
    })


@workspace_required
@require_POST
def interview_cancel(request, pk):
    interview = _owned(request, Interview, pk)
    try:
        interview_actions.interview_cancel(interview=interview, actor=request.user)
    except TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Interview cancelled; the freelancer was emailed a calendar cancellation.")
    return redirect("freelancers:detail", pk=interview.freelancer_id)


# --- Scorecard and decision --------------------------------------------------------------------
@workspace_required
def scorecard(request, pk):
    freelancer = _freelancer(request, pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            vetting.freelancer_decide(freelancer=freelancer, actor=request.user, decision=c["decision"],
                                      reason=c["reason"], confirmed=c["confirm"])
        except ValidationError as exc:
            apply_errors(form, exc)
        except TransitionError as exc:
            form.add_error(None, str(exc))
        else:
            verb = "approved" if c["decision"] == "approved" else "rejected"
            messages.success(request, f"{freelancer.name} was {verb}.")
            return redirect("freelancers:scorecard", pk=pk)
    card = vetting.scorecard(freelancer)
    return render(request, "freelancers/scorecard.html", {
        "freelancer": freelancer, "card": card, "form": form, "user_tz": _user_tz(request),
    })


@workspace_required
def criteria_edit(request):
    criteria = services.criteria_for(request.workspace)
    form = CriteriaForm(request.POST or None, initial={"criteria": "\n".join(c.name for c in criteria)})
    if request.method == "POST" and form.is_valid():
        try:
            services.criteria_set(workspace=request.workspace, names=form.cleaned_data["criteria"].splitlines())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Interview criteria saved. Past scorecards keep theirs.")
            return redirect("freelancers:criteria")
    return render(request, "freelancers/criteria.html", {"form": form, "criteria": criteria})


# --- The referee's questionnaire (no account) ---------------------------------------------------
REFEREE_SESSION_KEY = "referee_token"


@never_cache
def referee_open(request, token):
    """The emailed link: keep the token in the session and redirect once, so it leaves the
    address bar (and never reaches a log or a Referer header)."""
    request.session[REFEREE_SESSION_KEY] = token
    return redirect("referee:questionnaire")


def _invalid(request, exc):
    status = 400 if exc.code == "invalid" else 410
    return render(request, "freelancers/referee_invalid.html", {"error": exc}, status=status)


@never_cache
def referee_questionnaire(request):
    token = request.session.get(REFEREE_SESSION_KEY, "")
    try:
        reference = reference_actions.reference_for_token(token)
    except reference_actions.RefereeLinkError as exc:
        return _invalid(request, exc)
    declining = request.method == "POST" and request.POST.get("action") == "decline"
    form = QuestionnaireForm(request.POST if request.method == "POST" and not declining else None)
    decline_form = DeclineForm(request.POST if declining else None)
    if request.method == "POST":
        try:
            if declining:
                decline_form.is_valid()
                reference_actions.reference_decline(token=token,
                                                    reason=decline_form.cleaned_data.get("decline_reason", ""))
                request.session.pop(REFEREE_SESSION_KEY, None)
                request.session["referee_done"] = "declined"
                return redirect("referee:done")
            if form.is_valid():
                reference_actions.reference_answer(token=token, answers=reference_actions.Answers(**form.cleaned_data))
                request.session.pop(REFEREE_SESSION_KEY, None)
                request.session["referee_done"] = "answered"
                return redirect("referee:done")
        except reference_actions.RefereeLinkError as exc:
            return _invalid(request, exc)
        except ValidationError as exc:
            apply_errors(form, exc)
    return render(request, "freelancers/referee_form.html", {
        "reference": reference, "freelancer": reference.freelancer, "workspace": reference.freelancer.workspace,
        "form": form, "decline_form": decline_form,
    })


@never_cache
def referee_done(request):
    outcome = request.session.pop("referee_done", None)
    if outcome is None:
        return redirect("referee:questionnaire")
    return render(request, "freelancers/referee_done.html", {"outcome": outcome})

