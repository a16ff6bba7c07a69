"""The vetting scorecard (references, interviews, red flags, samples and trial jobs side by
side) and the owner's decision."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from accounts.access import workspace_required
from accounts.forms import apply_errors

from .. import selectors
from ..errors import TransitionError
from ..forms import DecisionForm
from ..models import Decision
from ..services.vetting import freelancer_decide
from ._helpers import freelancer_for, user_tz


@workspace_required
def scorecard(request, pk):
    freelancer = freelancer_for(request, pk)
    verdicts = selectors.open_verdicts(freelancer)
    form = DecisionForm(request.POST or None, verdicts=verdicts)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            freelancer_decide(freelancer=freelancer, actor=request.user, decision=c["decision"],
                              reason=c["reason"], confirmed=c["confirm"])
        except ValidationError as exc:
            apply_errors(form, exc)
        except TransitionError as exc:
            form.add_error(None, str(exc))
        else:
            verb = "approved" if c["decision"] == "approved" else "rejected"
            messages.success(request, f"{freelancer.name} was {verb}.")
            return redirect("freelancers:scorecard", pk=pk)
    card = selectors.scorecard(freelancer)
    return render(request, "freelancers/scorecard.html", {
        "freelancer": freelancer, "card": card, "form": form, "user_tz": user_tz(request),
        "can_approve": Decision.Verdict.APPROVED in verdicts,
    })
