"""Owner pages for reminders: an engagement's reminder settings (each step of the status-update
ladder, the silence detector) and the answer to a freelancer's request for a new due date."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.forms import apply_errors

from .. import selectors
from ..forms import DateDecisionForm, ReminderSettingsForm
from ..models import Engagement, Milestone
from ..services.due_date import milestone_date_decide
from ..services.ladders import engagement_reminders_update
from ..services.transitions import ConflictError
from ._helpers import child_of, engagement_for, owner_page


@owner_page
def reminder_settings(request, pk):
    engagement = engagement_for(request, pk)
    form = ReminderSettingsForm(request.POST or None, instance=Engagement.objects.get(pk=engagement.pk))
    if request.method == "POST" and form.is_valid():
        try:
            engagement_reminders_update(engagement=engagement, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Reminder settings saved.")
            return redirect("engagements:detail", pk=engagement.pk)
    return render(request, "engagements/reminders.html", {
        "engagement": engagement, "form": form, "ladder": selectors.ladder_status(engagement),
    })


@owner_page
@require_POST
def date_change_decide(request, pk, milestone_pk):
    """Answer the milestone's waiting request. The form names the request it answers, so an
    answer meant for one that was withdrawn (or answered in another tab) changes nothing."""
    engagement = engagement_for(request, pk)
    milestone = child_of(request, Milestone, engagement, milestone_pk)
    back = reverse("engagements:milestone", kwargs={"pk": pk, "milestone_pk": milestone_pk})
    form = DateDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose to accept or decline.")
        return redirect(back)
    change = selectors.pending_date_change(milestone)
    if change is None or change.pk != form.cleaned_data["change"]:
        messages.error(request, "This request was already answered or withdrawn.")
        return redirect(back)
    accept = form.cleaned_data["decision"] == "accept"
    try:
        milestone_date_decide(change=change, actor=request.user, accept=accept,
                              response=form.cleaned_data["response"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except ConflictError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "New date accepted; the freelancer was told." if accept else
                         "Request declined; the freelancer was told.")
    return redirect(back)
