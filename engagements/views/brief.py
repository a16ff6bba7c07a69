"""Owner pages for the brief: its versions with the questions and answers, writing it (a new
version once sent: a change order), and what changed between two versions."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.forms import apply_errors

from .. import selectors
from ..forms import AnswerForm, BriefForm
from ..models import Brief, BriefQuestion
from ..services.brief import brief_question_answer, brief_save
from ..services.transitions import ConflictError
from ._helpers import child_of, conflict, engagement_for, engagement_url, owner_page


@owner_page
def brief_detail(request, pk):
    engagement = engagement_for(request, pk)
    versions = list(Brief.objects.filter(engagement=engagement).select_related("created_by", "acknowledged_by"))
    if not versions:
        return redirect("engagements:brief_edit", pk=pk)
    wanted = request.GET.get("v", "")
    brief = next((b for b in versions if str(b.version) == wanted), versions[0])
    questions = BriefQuestion.objects.filter(engagement=engagement).select_related("asked_by", "answered_by", "brief")
    return render(request, "engagements/brief.html", {
        "engagement": engagement, "brief": brief, "versions": versions, "current": versions[0],
        "questions": questions, "answer_form": AnswerForm(),
        "previous": next((b for b in versions if b.version == brief.version - 1), None),
    })


@owner_page
def brief_edit(request, pk):
    engagement = engagement_for(request, pk)
    current = selectors.current_brief(engagement)
    needs_summary = bool(current and current.sent_at)
    form = BriefForm(request.POST or None, brief=current, needs_summary=needs_summary)
    if request.method == "POST" and form.is_valid():
        try:
            brief, created = brief_save(engagement=engagement, actor=request.user,
                                        change_summary=form.cleaned_data.get("change_summary", ""),
                                        **form.sections())
        except ValidationError as exc:
            apply_errors(form, exc)
        except ConflictError as exc:
            return conflict(request, exc, engagement_url(engagement))
        else:
            if brief.sent_at and created and brief.version > 1:
                messages.success(request, f"Brief v{brief.version} sent: the freelancer was asked to acknowledge it.")
            elif current is not None and not created and brief.pk == current.pk and not form.has_changed():
                messages.info(request, "Nothing changed.")
            else:
                messages.success(request, f"Brief v{brief.version} saved.")
            return redirect("engagements:brief", pk=engagement.pk)
    return render(request, "engagements/brief_edit.html", {
        "engagement": engagement, "form": form, "current": current, "needs_summary": needs_summary,
    })


@owner_page
def brief_diff(request, pk):
    engagement = engagement_for(request, pk)
    versions = {b.version: b for b in Brief.objects.filter(engagement=engagement)}
    if not versions:
        raise Http404("No brief yet")
    latest = max(versions)
    try:
        new = versions[int(request.GET.get("to", latest))]
        old = versions[int(request.GET.get("from", new.version - 1))]
    except (KeyError, ValueError):
        raise Http404("No such version") from None
    sections = selectors.brief_diff(old, new)
    return render(request, "engagements/brief_diff.html", {
        "engagement": engagement, "old": old, "new": new, "sections": sections, "versions": sorted(versions),
        "unchanged": [s["label"] for s in sections if not s["changed"]],
        "changed_any": any(s["changed"] for s in sections),
    })


@owner_page
@require_POST
def question_answer(request, pk, question_pk):
    engagement = engagement_for(request, pk)
    question = child_of(request, BriefQuestion, engagement, question_pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        brief_question_answer(question=question, actor=request.user, answer=form.cleaned_data["answer"])
        messages.success(request, "Answer sent to the freelancer.")
    else:
        messages.error(request, "Write an answer first.")
    return redirect(reverse("engagements:brief", kwargs={"pk": pk}) + f"#q{question.pk}")
