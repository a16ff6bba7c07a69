"""The freelancer asks for a new due date on a milestone (engagements.due_dates), or withdraws
the request while it waits. The owner answers from their milestone page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from engagements.models import Milestone
from engagements.services import due_date as due_dates
from engagements.services.transitions import ConflictError, NotAllowed

from ..access import engagement_child, portal_engagement, portal_required
from ..forms import NewDateForm


@portal_required
@require_POST
def date_request(request, pk, milestone_pk):
    engagement = portal_engagement(request, pk)
    milestone = engagement_child(request, engagement, Milestone, milestone_pk)
    form = NewDateForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("portal:milestone", pk=pk, milestone_pk=milestone_pk)
    try:
        due_dates.milestone_date_request(
            milestone_id=milestone.pk, freelancer=request.freelancer, proposed_on=form.cleaned_data["proposed_on"],
            reason=form.cleaned_data["reason"])
    except NotAllowed:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except ConflictError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Your request was sent to {engagement.workspace.name}; you will get their answer "
                                  "by email.")
    return redirect("portal:milestone", pk=pk, milestone_pk=milestone_pk)


@portal_required
@require_POST
def date_withdraw(request, pk, milestone_pk):
    engagement = portal_engagement(request, pk)
    milestone = engagement_child(request, engagement, Milestone, milestone_pk)
    try:
        due_dates.milestone_date_withdraw(milestone_id=milestone.pk, freelancer=request.freelancer)
    except ConflictError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Request withdrawn.")
    return redirect("portal:milestone", pk=pk, milestone_pk=milestone_pk)
