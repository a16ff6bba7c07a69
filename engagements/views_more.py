"""Workspace-level engagement pages: the playbook library, the status-update prompts, and a
freelancer's reliability record."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render

from accounts.access import get_for_workspace
from accounts.forms import apply_errors
from freelancers.models import Freelancer

from . import selectors
from .forms import PlaybookDocumentForm, UpdatePromptsForm
from .models import Engagement, PlaybookAcknowledgement, PlaybookDocument, PlaybookVersion
from .services import playbook, reporting
from .views import owner_page


@owner_page
def playbook_list(request):
    documents = (
        PlaybookDocument.objects.filter(workspace=request.workspace)
        .annotate(engagement_count=Count("engagements", distinct=True))
        .order_by("title")
    )
    return render(request, "engagements/playbook_list.html", {"documents": documents})


@owner_page
def playbook_create(request):
    form = PlaybookDocumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            document = playbook.playbook_document_create(workspace=request.workspace, actor=request.user,
                                                         title=c["title"], kind=c["kind"], body=c["body"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"“{document.title}” added to the playbook.")
            return redirect("engagements:playbook_document", pk=document.pk)
    return render(request, "engagements/playbook_form.html", {"form": form, "title": "New playbook document"})


@owner_page
def playbook_document(request, pk):
    document = get_for_workspace(request, PlaybookDocument, pk=pk)
    versions = list(PlaybookVersion.objects.filter(document=document).select_related("created_by"))
    wanted = request.GET.get("v", "")
    version = next((v for v in versions if str(v.version) == wanted), versions[0] if versions else None)
    engagements = (
        Engagement.objects.filter(playbook=document).select_related("freelancer").order_by("-created_at")
    )
    acknowledged = set(
        PlaybookAcknowledgement.objects.filter(version__document=document, version__version=document.current_version)
        .values_list("freelancer_id", flat=True)
    )
    return render(request, "engagements/playbook_document.html", {
        "document": document, "version": version, "versions": versions,
        "engagements": [(e, e.freelancer_id in acknowledged) for e in engagements],
    })


@owner_page
def playbook_edit(request, pk):
    document = get_for_workspace(request, PlaybookDocument, pk=pk)
    current = selectors.playbook_current_version(document)
    form = PlaybookDocumentForm(request.POST or None, document=document, body=current.body if current else "")
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            _, version = playbook.playbook_document_revise(
                document=document, actor=request.user, title=c["title"], kind=c["kind"], body=c["body"],
                change_note=c.get("change_note", ""))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if version:
                messages.success(request, f"Saved as version {version.version}; freelancers on running engagements "
                                          "were asked to read it.")
            else:
                messages.success(request, "Saved (the text did not change, so no new version).")
            return redirect("engagements:playbook_document", pk=document.pk)
    return render(request, "engagements/playbook_form.html", {"form": form, "document": document,
                                                               "title": f"Edit “{document.title}”"})


@owner_page
def update_prompts(request):
    prompts = selectors.update_prompts(request.workspace)
    form = UpdatePromptsForm(request.POST or None, instance=prompts)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        reporting.update_prompts_save(workspace=request.workspace, done_prompt=c["done_prompt"],
                                      next_prompt=c["next_prompt"], blockers_prompt=c["blockers_prompt"])
        messages.success(request, "Status-update prompts saved.")
        return redirect("engagements:update_prompts")
    return render(request, "engagements/update_prompts.html", {"form": form})


@owner_page
def reliability(request, freelancer_pk):
    freelancer = get_for_workspace(request, Freelancer, pk=freelancer_pk)
    engagements = (
        Engagement.objects.filter(freelancer=freelancer).select_related("review").order_by("-created_at")
    )
    return render(request, "engagements/reliability.html", {
        "freelancer": freelancer, "record": selectors.reliability_record(freelancer), "engagements": engagements,
    })
