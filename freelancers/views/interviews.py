"""Interviews: schedule and reschedule (the time is entered in the interviewer's zone, the
freelancer is emailed an .ics), cancel, the structured scorecard, and the workspace's list of
scorecard criteria."""

import zoneinfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import workspace_required
from accounts.forms import apply_errors

from ..errors import TransitionError
from ..forms import CriteriaForm, InterviewForm, ScorecardForm
from ..models import Interview
from ..services import interview as interview_actions
from ._helpers import freelancer_for, owned, run_action, user_tz

# Shown beside the scorecard: questions that bring out the red flags early.
SUGGESTED_QUESTIONS = [
    ("scope", "Walk me through exactly what you would deliver for this project. What is not included?"),
    ("timeline", "The deadline is fixed. Which part would take longest, and what would make you late? "
                 "When would you tell us?"),
    ("who_does_work", "Who will do the work: you alone, or anyone else? Would any part be subcontracted?"),
    ("availability", "How many hours a week can you give this, and in which hours of your day? "
                     "Any holidays or other projects in that window?"),
    ("price_moved", "Is your price for this exact scope final? What would change it?"),
    ("", "How will you report progress, and how often? What do you need from us to start?"),
]


def _schedule_page(request, freelancer, interview=None):
    """The one form page for scheduling a new interview and for rescheduling `interview`."""
    tz_name = user_tz(request)
    initial = None
    if interview is not None:
        initial = {
            "scheduled_at": interview.scheduled_at.astimezone(zoneinfo.ZoneInfo(tz_name)).replace(tzinfo=None),
            "duration_minutes": interview.duration_minutes, "kind": interview.kind,
            "meeting_url": interview.meeting_url,
        }
    form = InterviewForm(request.POST or None, tz_name=tz_name, initial=initial)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        fields = {"scheduled_at": c["scheduled_at"], "duration_minutes": c["duration_minutes"], "kind": c["kind"],
                  "meeting_url": c["meeting_url"]}
        try:
            if interview is None:
                saved = interview_actions.interview_schedule(freelancer=freelancer, actor=request.user,
                                                             organizer_timezone=tz_name, **fields)
            else:
                saved = interview_actions.interview_reschedule(interview=interview, actor=request.user, **fields)
        except ValidationError as exc:
            apply_errors(form, exc)
        except TransitionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Interview scheduled; {freelancer.name} was emailed a calendar invitation."
                             if interview is None else
                             f"Interview updated; {freelancer.name} was emailed the new time.")
            return redirect("freelancers:interview", pk=saved.pk)
    if interview is None:
        title, submit = f"Schedule an interview with {freelancer.name}", "Schedule and email invitation"
    else:
        title, submit = f"Reschedule the interview with {freelancer.name}", "Save and email update"
    return render(request, "freelancers/interview_form.html", {
        "form": form, "freelancer": freelancer, "tz_name": tz_name, "interview": interview, "title": title,
        "submit": submit,
    })


@workspace_required
def interview_add(request, pk):
    return _schedule_page(request, freelancer_for(request, pk))


@workspace_required
def interview_reschedule(request, pk):
    interview = owned(request, Interview, pk)
    return _schedule_page(request, interview.freelancer, interview)


@workspace_required
def interview_detail(request, pk):
    interview = owned(request, Interview, pk)
    freelancer = interview.freelancer
    criteria = [c.name for c in interview_actions.criteria_for(request.workspace)]
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
        "interview": interview, "freelancer": freelancer, "form": form, "user_tz": user_tz(request),
        "questions": SUGGESTED_QUESTIONS,
    })


@workspace_required
@require_POST
def interview_cancel(request, pk):
    interview = owned(request, Interview, pk)
    run_action(request, lambda: interview_actions.interview_cancel(interview=interview, actor=request.user),
               "Interview cancelled; the freelancer was emailed a calendar cancellation.")
    return redirect("freelancers:detail", pk=interview.freelancer_id)


@workspace_required
def criteria_edit(request):
    criteria = interview_actions.criteria_for(request.workspace)
    form = CriteriaForm(request.POST or None, initial={"criteria": "\n".join(c.name for c in criteria)})
    if request.method == "POST" and form.is_valid():
        try:
            interview_actions.criteria_set(workspace=request.workspace,
                                           names=form.cleaned_data["criteria"].splitlines())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Interview criteria saved. Past scorecards keep theirs.")
            return redirect("freelancers:criteria")
    return render(request, "freelancers/criteria.html", {"form": form, "criteria": criteria})
