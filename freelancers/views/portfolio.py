"""A freelancer's portfolio: samples (a link or an uploaded file, served only through an
access-checked download) and testimonials."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import workspace_required
from accounts.forms import apply_errors

from ..forms import SampleForm, TestimonialForm
from ..models import Sample, Testimonial
from ..services import portfolio as services
from ..uploads import attachment_response
from ._helpers import freelancer_for, owned


@workspace_required
def sample_add(request, pk):
    freelancer = freelancer_for(request, pk)
    form = SampleForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            services.sample_add(freelancer=freelancer, actor=request.user, title=c["title"],
                                description=c["description"], url=c["url"], upload=c["file"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Sample added.")
            return redirect("freelancers:detail", pk=pk)
    return render(request, "freelancers/form.html", {
        "form": form, "freelancer": freelancer, "title": f"Add a sample for {freelancer.name}",
        "submit": "Add sample", "multipart": True,
    })


@workspace_required
def sample_download(request, pk):
    sample = owned(request, Sample, pk)
    if not sample.file:
        raise Http404("No file")
    return attachment_response(sample.file, filename=sample.original_filename or "sample",
                               content_type=sample.content_type)


@workspace_required
@require_POST
def sample_delete(request, pk):
    sample = owned(request, Sample, pk)
    freelancer_pk = sample.freelancer_id
    services.sample_delete(sample=sample)
    messages.success(request, "Sample removed.")
    return redirect("freelancers:detail", pk=freelancer_pk)


@workspace_required
def testimonial_add(request, pk):
    freelancer = freelancer_for(request, pk)
    form = TestimonialForm(request.POST or None, freelancer=freelancer)
    if request.method == "POST" and form.is_valid():
        try:
            services.testimonial_add(freelancer=freelancer, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Testimonial added.")
            return redirect("freelancers:detail", pk=pk)
    return render(request, "freelancers/form.html", {
        "form": form, "freelancer": freelancer, "title": f"Add a testimonial for {freelancer.name}",
        "submit": "Add testimonial",
    })


@workspace_required
@require_POST
def testimonial_delete(request, pk):
    testimonial = owned(request, Testimonial, pk)
    services.testimonial_delete(testimonial=testimonial)
    messages.success(request, "Testimonial removed.")
    return redirect("freelancers:detail", pk=testimonial.freelancer_id)
