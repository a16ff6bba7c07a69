"""The owner's side of reference checks: add a referee (and email the questionnaire), send a
new link, remove a referee who was never asked."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import workspace_required
from accounts.forms import apply_errors

from ..forms import ReferenceForm
from ..models import Reference
from ..services import reference as reference_actions
from ._helpers import freelancer_for, owned, run_action


@workspace_required
def reference_add(request, pk):
    freelancer = freelancer_for(request, pk)
    form = ReferenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            reference = reference_actions.reference_add(
                freelancer=freelancer, actor=request.user, name=c["name"], email=c["email"],
                relationship=c["relationship"], company=c["company"], send_now=c["send_now"],
            )
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
    reference = owned(request, Reference, pk)
    run_action(request, lambda: reference_actions.reference_request(reference=reference, actor=request.user),
               f"Questionnaire emailed to {reference.name} ({reference.email}).")
    return redirect("freelancers:detail", pk=reference.freelancer_id)


@workspace_required
@require_POST
def reference_delete(request, pk):
    reference = owned(request, Reference, pk)
    run_action(request, lambda: reference_actions.reference_delete(reference=reference), "Referee removed.")
    return redirect("freelancers:detail", pk=reference.freelancer_id)
