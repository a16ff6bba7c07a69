"""Owner pages for reminders: an engagement's reminder settings (each step of the status-update
ladder, the silence detector) and the answer to a freelancer's request for a new due date."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.forms import apply_errors

from . import selectors
from .models import Engagement, Milestone
from .services import due_date as due_dates
from .services import ladders as reminders
from .services.transitions import ConflictError
from .views import child_of, engagement_for, owner_page


class ReminderSettingsForm(forms.ModelForm):
    class Meta:
        model = Engagement
        fields = list(reminders.REMINDER_FIELDS)


class DateDecisionForm(forms.Form):
    change = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("decline", "Decline")])
    response = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                               label="Note to the freelancer")


@owner_page
def reminder_settings(request, pk):
    engagement = engagement_for(request, pk)
    form = ReminderSettingsForm(request.POST or None, instance=Engagement.objects.get(pk=engagement.pk))
    if request.method == "POST" and form.is_valid():
        try:
            reminders.engagement_reminders_update(engagement=engagement, actor=request.user, **form.cleaned_data)
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
        due_dates.milestone_date_decide(change=change, actor=request.user, accept=accept,
                                        response=form.cleaned_data["response"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except ConflictError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "New date accepted; the freelancer was told." if accept else
                         "Request declined; the freelancer was told.")
    return redirect(back)
