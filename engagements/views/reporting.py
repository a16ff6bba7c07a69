"""Owner pages for keeping in touch: status updates, check-ins, and the workspace's prompts for
status updates."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.forms import apply_errors

from .. import selectors
from ..forms import CheckInForm, CheckInRecordForm, UpdatePromptsForm
from ..models import CheckIn, CheckInStatus, EngagementStatus, StatusUpdate
from ..services import reporting
from ..services.transitions import ConflictError
from ._helpers import child_of, conflict, engagement_for, engagement_url, owner_page


@owner_page
def status_updates(request, pk):
    engagement = engagement_for(request, pk)
    page = Paginator(StatusUpdate.objects.filter(engagement=engagement).select_related("freelancer"), 20).get_page(
        request.GET.get("page"))
    counts = StatusUpdate.objects.filter(engagement=engagement).aggregate(
        total=Count("pk"), late=Count("pk", filter=Q(late=True)))
    return render(request, "engagements/updates.html", {"engagement": engagement, "page": page, "counts": counts,
                                                         "now": timezone.now()})


@owner_page
def checkins(request, pk):
    engagement = engagement_for(request, pk)
    form = CheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            reporting.checkin_schedule(engagement=engagement, actor=request.user, scheduled_at=c["scheduled_at"],
                                       agenda=c["agenda"], duration_minutes=c["duration_minutes"],
                                       meeting_url=c["meeting_url"])
        except ValidationError as exc:
            apply_errors(form, exc)
        except ConflictError as exc:
            return conflict(request, exc, engagement_url(engagement))
        else:
            messages.success(request, "Check-in scheduled." + (
                " The freelancer was emailed an invitation." if engagement.status != EngagementStatus.DRAFT else ""))
            return redirect("engagements:checkins", pk=pk)
    rows = CheckIn.objects.filter(engagement=engagement).select_related("created_by", "recorded_by")
    return render(request, "engagements/checkins.html", {
        "engagement": engagement, "form": form, "now": timezone.now(),
        "upcoming": [c for c in rows if c.status == CheckInStatus.SCHEDULED][::-1],
        "past": [c for c in rows if c.status != CheckInStatus.SCHEDULED],
        "freelancer_tz": engagement.freelancer.timezone,
    })


@owner_page
def checkin_detail(request, pk, checkin_pk):
    engagement = engagement_for(request, pk)
    checkin = child_of(request, CheckIn, engagement, checkin_pk)
    record_form = CheckInRecordForm(request.POST if request.POST.get("form") == "record" else None,
                                    initial={"notes": checkin.notes})
    edit_form = CheckInForm(request.POST if request.POST.get("form") == "edit" else None, initial={
        "scheduled_at": timezone.localtime(checkin.scheduled_at), "duration_minutes": checkin.duration_minutes,
        "meeting_url": checkin.meeting_url, "agenda": checkin.agenda})
    if request.method == "POST":
        try:
            if request.POST.get("form") == "record" and record_form.is_valid():
                reporting.checkin_record(checkin=checkin, actor=request.user,
                                         happened=record_form.cleaned_data["happened"],
                                         notes=record_form.cleaned_data["notes"])
                messages.success(request, "Check-in recorded.")
                return redirect("engagements:checkins", pk=pk)
            if request.POST.get("form") == "edit" and edit_form.is_valid():
                c = edit_form.cleaned_data
                reporting.checkin_update(checkin=checkin, actor=request.user, scheduled_at=c["scheduled_at"],
                                         agenda=c["agenda"], duration_minutes=c["duration_minutes"],
                                         meeting_url=c["meeting_url"])
                messages.success(request, "Check-in saved.")
                return redirect("engagements:checkins", pk=pk)
        except ValidationError as exc:
            apply_errors(record_form if request.POST.get("form") == "record" else edit_form, exc)
        except ConflictError as exc:
            return conflict(request, exc, reverse("engagements:checkins", kwargs={"pk": pk}))
    return render(request, "engagements/checkin.html", {
        "engagement": engagement, "checkin": checkin, "record_form": record_form, "edit_form": edit_form,
        "now": timezone.now(),
    })


@owner_page
@require_POST
def checkin_cancel(request, pk, checkin_pk):
    engagement = engagement_for(request, pk)
    checkin = child_of(request, CheckIn, engagement, checkin_pk)
    try:
        reporting.checkin_cancel(checkin=checkin, actor=request.user)
    except ConflictError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Check-in cancelled.")
    return redirect("engagements:checkins", pk=pk)


# --- The workspace's prompts for updates --------------------------------------------------------------
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

