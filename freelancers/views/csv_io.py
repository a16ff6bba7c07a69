"""The talent pool in and out as CSV: the export, and the import (upload → a preview listing
each bad row by its line → confirm → all or nothing, with a progress bar that htmx refreshes
while a large file is imported by the worker; the import's page can be left and reopened)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import get_for_workspace, workspace_required

from ..errors import TransitionError
from ..exports import freelancers_csv
from ..forms import ImportForm
from ..models import FreelancerImport
from ..services import imports as services


@workspace_required
def freelancer_export(request):
    return freelancers_csv(request.workspace)


@workspace_required
def import_upload(request):
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if request.method == "POST" and form.is_valid():
        job = services.freelancer_import_preview(workspace=request.workspace, actor=request.user,
                                                 uploaded_file=form.cleaned_data["file"])
        return redirect("freelancers:import", pk=job.pk)
    recent = FreelancerImport.objects.filter(workspace=request.workspace).select_related("created_by")[:10]
    return render(request, "freelancers/import_upload.html", {"form": form, "recent": recent})


def _job(request, pk):
    return get_for_workspace(request, FreelancerImport, pk=pk)


@workspace_required
def import_detail(request, pk):
    job = _job(request, pk)
    return render(request, "freelancers/import.html", {"job": job, "preview": job.rows[:20]})


@workspace_required
def import_progress(request, pk):
    """The progress card alone, which htmx polls while the import runs."""
    job = _job(request, pk)
    services.freelancer_import_nudge(job=job)
    return render(request, "freelancers/_import_progress.html", {"job": job})


@require_POST
@workspace_required
def import_confirm(request, pk):
    job = _job(request, pk)
    try:
        job = services.freelancer_import_confirm(job=job, actor=request.user)
    except (TransitionError, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        if job.status == "done":
            plural = "" if job.imported_rows == 1 else "s"
            messages.success(request, f"Imported {job.imported_rows} freelancer{plural}.")
    return redirect("freelancers:import", pk=job.pk)
