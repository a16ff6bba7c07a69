"""Owner pages for the playbook: the workspace's library of documents (each change a new
version the freelancers are asked to read), and the documents attached to one engagement with
who acknowledged them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import get_for_workspace
from accounts.forms import apply_errors

from .. import selectors
from ..forms import AttachPlaybookForm, PlaybookDocumentForm
from ..models import Engagement, PlaybookAcknowledgement, PlaybookDocument, PlaybookVersion
from ..services import playbook
from ..services.transitions import ConflictError
from ._helpers import conflict, engagement_for, engagement_url, owner_page


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


# --- The playbook of one engagement ---------------------------------------------------------------
@owner_page
def engagement_playbook(request, pk):
    engagement = engagement_for(request, pk)
    form = AttachPlaybookForm(request.POST or None, engagement=engagement)
    if request.method == "POST" and form.is_valid():
        try:
            playbook.playbook_attach(engagement=engagement, document=form.cleaned_data["document"], actor=request.user)
        except ConflictError as exc:
            return conflict(request, exc, engagement_url(engagement))
        messages.success(request, f"“{form.cleaned_data['document'].title}” attached.")
        return redirect("engagements:playbook", pk=pk)
    return render(request, "engagements/engagement_playbook.html", {
        "engagement": engagement, "form": form, "rows": selectors.playbook_status(engagement),
    })


@owner_page
@require_POST
def playbook_detach(request, pk, document_pk):
    engagement = engagement_for(request, pk)
    document = get_for_workspace(request, engagement.playbook.all(), pk=document_pk)
    playbook.playbook_detach(engagement=engagement, document=document, actor=request.user)
    messages.success(request, f"“{document.title}” removed from this engagement.")
    return redirect("engagements:playbook", pk=pk)

