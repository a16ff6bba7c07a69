"""The talent pool: the searchable list, the pipeline board, the bench, and a freelancer's
profile (add, edit, the detail page, do-not-hire)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.access import get_for_workspace, workspace_required
from accounts.forms import apply_errors

from ..errors import TransitionError
from ..forms import DoNotHireForm, FilterForm, FreelancerForm
from ..models import DECISION_STATUSES, Freelancer, FreelancerStatus
from ..selectors import (
    Filters,
    bench_rows,
    board,
    engagements_of,
    freelancer_search,
    last_review,
    with_counts,
    workspace_skills,
    workspace_timezones,
)
from ..services import freelancer as services
from ._helpers import freelancer_for, run_action, user_tz


@workspace_required
def freelancer_list(request):
    workspace = request.workspace
    form = FilterForm(request.GET or None, timezones=workspace_timezones(workspace))
    filters = Filters()
    if form.is_valid():
        filters = Filters(**{k: v for k, v in form.cleaned_data.items() if v not in ("", None)})
    # Filters with a mistake (an upper rate bound below the lower one) show everyone, and say so.
    page = Paginator(freelancer_search(workspace, filters), 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "freelancers/list.html", {
        "form": form, "page": page, "skills": workspace_skills(workspace), "query": query.urlencode(),
        "filtered": any(v for k, v in request.GET.items() if k != "page"),
        "invalid_filters": form.is_bound and not form.is_valid(),
    })


def _board_context(request, error=None, moved=None):
    return {"columns": board(request.workspace), "error": error, "moved": moved,
            "decision_statuses": DECISION_STATUSES}


@workspace_required
def pipeline_board(request):
    return render(request, "freelancers/board.html", _board_context(request))


@workspace_required
@require_POST
def pipeline_move(request, pk):
    """A card's move button. With htmx the board fragment comes back (counts included);
    without it, a redirect back to the board."""
    freelancer = freelancer_for(request, pk)
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
        rows.append({"freelancer": freelancer, "review": last_review(freelancer)})
    return render(request, "freelancers/bench.html", {"rows": rows})


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
    freelancer = freelancer_for(request, pk)
    form = FreelancerForm(request.POST or None, workspace=request.workspace, instance=freelancer)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        kwargs["timezone"] = kwargs.pop("timezone_name")
        try:
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
        "engagements": engagements_of(freelancer),
        "user_tz": user_tz(request),
        "decision_statuses": DECISION_STATUSES,
    })


@workspace_required
def do_not_hire(request, pk):
    """GET: the confirmation page, saying what marking will revoke; POST marks (or, with
    action=clear, clears) and says what was revoked."""
    freelancer = freelancer_for(request, pk)
    if request.method == "POST" and request.POST.get("action") == "clear":
        reason = request.POST.get("reason", "")
        run_action(request, lambda: services.freelancer_clear_do_not_hire(
            freelancer=freelancer, actor=request.user, reason=reason),
            f"{freelancer.name} is no longer marked do not hire.")
        return redirect("freelancers:detail", pk=pk)
    if freelancer.do_not_hire:
        return redirect("freelancers:detail", pk=pk)
    form = DoNotHireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            done = services.freelancer_mark_do_not_hire(
                freelancer=freelancer, actor=request.user, reason=form.cleaned_data["reason"])
        except TransitionError as exc:
            messages.error(request, str(exc))
            return redirect("freelancers:detail", pk=pk)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, " ".join([f"{freelancer.name} is marked do not hire.", *done]))
            return redirect("freelancers:detail", pk=pk)
    return render(request, "freelancers/do_not_hire.html", {
        "freelancer": freelancer, "form": form, "consequences": services.do_not_hire_preview(freelancer),
    })
