"""The referee's questionnaire: public, no account. The emailed link puts its token in the
session and redirects once, so the token leaves the address bar (and never reaches a log or a
Referer header); the questionnaire then reads it from the session."""

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from accounts.forms import apply_errors

from ..errors import RefereeLinkError
from ..forms import DeclineForm, QuestionnaireForm
from ..selectors import reference_for_token
from ..services import reference as reference_actions

REFEREE_SESSION_KEY = "referee_token"
# What the referee did (answered, declined), kept in their session: Back, or a reload, after
# the answer shows "already answered, thank you" rather than "this link is not valid".
DONE_SESSION_KEY = "referee_done"
DONE_AS_LINK_ERROR = {"answered": "used", "declined": "declined"}


@never_cache
def referee_open(request, token):
    request.session[REFEREE_SESSION_KEY] = token
    return redirect("referee:questionnaire")


def _invalid(request, exc):
    status = 400 if exc.code == "invalid" else 410
    return render(request, "freelancers/referee_invalid.html", {"error": exc}, status=status)


def _done(request, outcome):
    request.session.pop(REFEREE_SESSION_KEY, None)
    request.session[DONE_SESSION_KEY] = outcome
    return redirect("referee:done")


@never_cache
def referee_questionnaire(request):
    token = request.session.get(REFEREE_SESSION_KEY, "")
    done = request.session.get(DONE_SESSION_KEY)
    if not token and done in DONE_AS_LINK_ERROR:
        return render(request, "freelancers/referee_invalid.html",
                      {"error": RefereeLinkError(DONE_AS_LINK_ERROR[done])})
    try:
        reference = reference_for_token(token)
    except RefereeLinkError as exc:
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
                return _done(request, "declined")
            if form.is_valid():
                reference_actions.reference_answer(token=token, answers=reference_actions.Answers(**form.cleaned_data))
                return _done(request, "answered")
        except RefereeLinkError as exc:
            return _invalid(request, exc)
        except ValidationError as exc:
            apply_errors(form, exc)
    return render(request, "freelancers/referee_form.html", {
        "reference": reference, "freelancer": reference.freelancer, "workspace": reference.freelancer.workspace,
        "form": form, "decline_form": decline_form,
    })


@never_cache
def referee_done(request):
    outcome = request.session.get(DONE_SESSION_KEY)
    if outcome is None:
        return redirect("referee:questionnaire")
    return render(request, "freelancers/referee_done.html", {"outcome": outcome})
