"""Owner pages for milestones: planning them (budget and date warnings, the over-budget
confirmation), the rounds of submitted work, requesting changes, and the submitted files.
The money moves (fund, release, refund, dispute) are payments' pages."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import get_for_workspace
from accounts.forms import apply_errors
from freelancers.uploads import attachment_response

from .. import selectors
from ..forms import FeedbackForm, MilestoneForm
from ..models import Milestone, SubmissionFile
from ..services import milestone as milestone_actions
from ..services.transitions import ConflictError
from ._helpers import child_of, conflict, engagement_for, engagement_url, owner_page


def _warn(request, warnings):
    for warning in warnings:
        messages.warning(request, warning)


@owner_page
def milestone_create(request, pk):
    engagement = engagement_for(request, pk)
    form = MilestoneForm(request.POST or None, engagement=engagement)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            milestone, warnings = milestone_actions.milestone_create(
                engagement=engagement, actor=request.user, title=c["title"],
                acceptance_criteria=c["acceptance_criteria"], due_on=c["due_on"], amount=c["amount"],
                confirm_over_budget=c["confirm_over_budget"], confirm_past_due=c["confirm_past_due"])
        except ValidationError as exc:
            apply_errors(form, exc)
        except ConflictError as exc:
            return conflict(request, exc, engagement_url(engagement))
        else:
            _warn(request, warnings)
            messages.success(request, f"Milestone “{milestone.title}” added.")
            return redirect(engagement_url(engagement) + "#milestones")
    return render(request, "engagements/milestone_form.html", {
        "engagement": engagement, "form": form, "title": "Add a milestone", "submit": "Add milestone",
        "planned": selectors.planned_total(engagement),
    })


@owner_page
def milestone_edit(request, pk, milestone_pk):
    engagement = engagement_for(request, pk)
    milestone = child_of(request, Milestone, engagement, milestone_pk)
    if milestone.is_final:
        messages.error(request, f"A {milestone.get_state_display().lower()} milestone cannot be changed.")
        return redirect("engagements:milestone", pk=pk, milestone_pk=milestone_pk)
    form = MilestoneForm(request.POST or None, engagement=engagement, milestone=milestone)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            _, warnings = milestone_actions.milestone_update(
                milestone=milestone, actor=request.user, title=c["title"], acceptance_criteria=c["acceptance_criteria"],
                due_on=c["due_on"], amount=c["amount"], confirm_over_budget=c["confirm_over_budget"],
                confirm_past_due=c["confirm_past_due"])
        except ValidationError as exc:
            apply_errors(form, exc)
        except ConflictError as exc:
            return conflict(request, exc, engagement_url(engagement))
        else:
            _warn(request, warnings)
            messages.success(request, "Milestone saved.")
            return redirect("engagements:milestone", pk=pk, milestone_pk=milestone_pk)
    return render(request, "engagements/milestone_form.html", {
        "engagement": engagement, "milestone": milestone, "form": form, "title": f"Edit “{milestone.title}”",
        "submit": "Save", "planned": selectors.planned_total(engagement),
    })


@owner_page
def milestone_detail(request, pk, milestone_pk):
    engagement = engagement_for(request, pk)
    milestone = child_of(request, Milestone, engagement, milestone_pk)
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
    engagement = engagement_for(request, pk)
    milestone = child_of(request, Milestone, engagement, milestone_pk)
    back = reverse("engagements:milestone", kwargs={"pk": pk, "milestone_pk": milestone_pk})
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say what needs to change.")
        return redirect(back)
    try:
        milestone_actions.milestone_request_changes(milestone=milestone, actor=request.user,
                                                    feedback=form.cleaned_data["feedback"])
    except ConflictError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Changes requested; the freelancer was emailed your feedback.")
    return redirect(back)


@owner_page
@require_POST
def milestone_delete(request, pk, milestone_pk):
    engagement = engagement_for(request, pk)
    milestone = child_of(request, Milestone, engagement, milestone_pk)
    try:
        milestone_actions.milestone_delete(milestone=milestone, actor=request.user)
    except ConflictError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Milestone “{milestone.title}” removed.")
    return redirect(engagement_url(engagement) + "#milestones")


@owner_page
@require_POST
def milestone_move(request, pk, milestone_pk):
    engagement = engagement_for(request, pk)
    milestone = child_of(request, Milestone, engagement, milestone_pk)
    try:
        milestone_actions.milestone_move(milestone=milestone, actor=request.user,
                                         direction=-1 if request.POST.get("direction") == "up" else 1)
    except ConflictError as exc:
        messages.error(request, str(exc))
    return redirect(engagement_url(engagement) + "#milestones")


@owner_page
def submission_file(request, pk, file_pk):
    engagement = engagement_for(request, pk)
    stored = get_for_workspace(
        request, SubmissionFile.objects.filter(submission__milestone__engagement=engagement), pk=file_pk,
        workspace_path="submission__milestone__engagement__workspace",
    )
    return attachment_response(stored.file, filename=stored.original_name, content_type=stored.content_type)
