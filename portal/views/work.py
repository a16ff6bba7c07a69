"""The freelancer's work pages: a milestone (hand in work, see the feedback rounds, open a
dispute), the files they handed in, and the weekly timesheets of an hourly engagement."""

import zoneinfo
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.forms import apply_errors
from engagements.models import EngagementStatus, Milestone, MilestoneState, PayTerms, SubmissionFile
from engagements.selectors import submissions_for
from engagements.services.transitions import ConflictError, NotAllowed
from freelancers.uploads import attachment_response
from payments import selectors as money
from payments import services as payment_services
from payments.errors import NotAllowed as PaymentNotAllowed
from payments.errors import PaymentError
from payments.models import Dispute, TimeEntry, Timesheet, TimesheetState, week_start_of
from payments.money import format_money
from payments.selectors import current_review_clock

from ..access import engagement_child, portal_engagement, portal_required
from ..forms import DisputeForm, SubmitWorkForm, TimeEntryForm, WeekForm, new_idempotency_key
from ._helpers import render_portal
from .refunds import released_refund_context, released_refund_form

SUBMITTABLE = {MilestoneState.FUNDED, MilestoneState.CHANGES_REQUESTED}
DISPUTABLE = {MilestoneState.FUNDED, MilestoneState.SUBMITTED, MilestoneState.CHANGES_REQUESTED}


def _milestone(request, engagement, milestone_pk):
    return engagement_child(request, engagement, Milestone, milestone_pk)


def _milestone_page(request, engagement, milestone, *, submit_form=None, dispute_form=None, refund_form=None,
                    status=200):
    can_submit = engagement.status == EngagementStatus.ACTIVE and milestone.state in SUBMITTABLE
    response = render_portal(request, "portal/milestone.html", {
        **released_refund_context(engagement, milestone, refund_form),
        "milestone": milestone,
        "rounds": submissions_for(milestone),
        "can_submit": can_submit,
        "submit_form": submit_form or SubmitWorkForm(subcontracting_allowed=engagement.subcontracting_allowed),
        "can_dispute": milestone.state in DISPUTABLE,
        "dispute_form": dispute_form or DisputeForm(initial={"idempotency_key": new_idempotency_key()}),
        "disputes": Dispute.objects.filter(milestone=milestone).order_by("-opened_at"),
        "escrowed": money.escrow_by_milestone(engagement).get(milestone.pk, 0),
        "review_clock": current_review_clock(milestone),
    }, engagement=engagement, tab="engagement")
    response.status_code = status
    return response


@portal_required
def milestone(request, pk, milestone_pk):
    engagement = portal_engagement(request, pk)
    return _milestone_page(request, engagement, _milestone(request, engagement, milestone_pk))


@portal_required
@require_POST
def milestone_submit(request, pk, milestone_pk):
    engagement = portal_engagement(request, pk)
    milestone = _milestone(request, engagement, milestone_pk)
    form = SubmitWorkForm(request.POST, request.FILES, subcontracting_allowed=engagement.subcontracting_allowed)
    if form.is_valid():
        c = form.cleaned_data
        try:
            submission = payment_services.milestone_submit_for_review(
                milestone_id=milestone.pk, freelancer=request.freelancer, message=c["message"], links=c["links"],
                files=c["files"], attest_own_work=c.get("attest_own_work", False),
            )
        except NotAllowed:
            raise Http404 from None
        except ConflictError as exc:
            messages.error(request, str(exc))
            return redirect("portal:milestone", pk=pk, milestone_pk=milestone_pk)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"“{milestone.title}” handed in (round {submission.round}). "
                                      "You will get an email when it is reviewed.")
            return redirect("portal:milestone", pk=pk, milestone_pk=milestone_pk)
    return _milestone_page(request, engagement, milestone, submit_form=form, status=400)


@portal_required
@require_POST
def milestone_dispute(request, pk, milestone_pk):
    engagement = portal_engagement(request, pk)
    milestone = _milestone(request, engagement, milestone_pk)
    form = DisputeForm(request.POST)
    if form.is_valid():
        try:
            payment_services.milestone_dispute(milestone=milestone, actor=request.user, reason=form.cleaned_data[
                "reason"], idempotency_key=form.cleaned_data["idempotency_key"])
        except PaymentNotAllowed:
            raise Http404 from None
        except (PaymentError, ConflictError) as exc:
            if getattr(exc, "field", None) not in form.fields:  # the state moved on: nothing to correct here
                messages.error(request, str(exc))
                return redirect("portal:milestone", pk=pk, milestone_pk=milestone_pk)
            apply_errors(form, exc)
        else:
            messages.success(request, f"Dispute opened on “{milestone.title}”. The money held for it stays "
                                      "frozen until it is resolved.")
            return redirect("portal:milestone", pk=pk, milestone_pk=milestone_pk)
    return _milestone_page(request, engagement, milestone, dispute_form=form, status=400)


@portal_required
@require_POST
def milestone_refund(request, pk, milestone_pk):
    """Give back money a released milestone paid (in full or part); refused input stays on the form."""
    engagement = portal_engagement(request, pk)
    milestone = _milestone(request, engagement, milestone_pk)
    form = released_refund_form(engagement, request.POST)
    if form.is_valid():
        c = form.cleaned_data
        try:
            refund = payment_services.released_refund(
                milestone=milestone, actor=request.user, amount=c["amount"], idempotency_key=c["idempotency_key"],
                reason=c["reason"], method=c.get("method", ""), reference=c.get("reference", ""))
        except PaymentNotAllowed:
            raise Http404 from None
        except PaymentError as exc:
            apply_errors(form, exc)
        else:
            amount = format_money(refund.amount, refund.currency)
            messages.success(request, f"{amount} of “{milestone.title}” refunded to {engagement.workspace.name}."
                             if refund.status == "refunded" else f"Your refund of {amount} is under way.")
            return redirect("portal:milestone", pk=pk, milestone_pk=milestone_pk)
    return _milestone_page(request, engagement, milestone, refund_form=form, status=400)


@portal_required
def submission_file(request, pk, file_pk):
    """A file the freelancer handed in, as an attachment that is never sniffed or rendered."""
    engagement = portal_engagement(request, pk)
    stored = engagement_child(request, engagement, SubmissionFile, file_pk, path="submission__milestone__engagement")
    return attachment_response(stored.file, filename=stored.original_name, content_type=stored.content_type)


# --- Timesheets (hourly engagements) ----------------------------------------------------------------
def _hourly(request, pk):
    engagement = portal_engagement(request, pk)
    if engagement.pay_terms != PayTerms.HOURLY:
        raise Http404("Not an hourly engagement")
    return engagement


def _today(engagement):
    tz = zoneinfo.ZoneInfo(engagement.freelancer.timezone or "UTC")
    return timezone.localdate(timezone=tz)


@portal_required
def timesheets(request, pk):
    engagement = _hourly(request, pk)
    form = WeekForm(request.POST or None, initial={"day": _today(engagement)})
    if request.method == "POST" and form.is_valid():
        try:
            sheet = payment_services.timesheet_for_week(engagement=engagement, day=form.cleaned_data["day"],
                                                        actor=request.user)
        except PaymentNotAllowed:
            raise Http404 from None
        except PaymentError as exc:
            messages.error(request, str(exc))
            return redirect("portal:timesheets", pk=pk)
        return redirect("portal:timesheet", pk=pk, timesheet_pk=sheet.pk)
    sheets = money.timesheets_for(engagement)
    return render_portal(request, "portal/timesheets.html", {
        "timesheets": sheets, "form": form, "this_week": week_start_of(_today(engagement)),
    }, engagement=engagement, tab="timesheets")


def _timesheet(request, engagement, timesheet_pk):
    return engagement_child(request, engagement, Timesheet, timesheet_pk)


@portal_required
def timesheet(request, pk, timesheet_pk):
    engagement = _hourly(request, pk)
    sheet = _timesheet(request, engagement, timesheet_pk)
    editable = sheet.state in {TimesheetState.DRAFT, TimesheetState.DISPUTED}
    form = TimeEntryForm(request.POST or None, initial={"day": min(_today(engagement),
                                                                    sheet.week_start + timedelta(days=6))})
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            payment_services.timesheet_entry_add(timesheet=sheet, actor=request.user, day=c["day"],
                                                 minutes=c["total_minutes"], description=c["description"])
        except PaymentNotAllowed:
            raise Http404 from None
        except PaymentError as exc:
            field = {"minutes": "minutes"}.get(exc.field, exc.field)
            form.add_error(field if field in form.fields else None, str(exc))
        else:
            messages.success(request, "Time logged.")
            return redirect("portal:timesheet", pk=pk, timesheet_pk=sheet.pk)
    entries = list(sheet.entries.all())
    total = sum(e.minutes for e in entries)
    cap = engagement.weekly_hour_cap * 60 if engagement.weekly_hour_cap else None
    return render_portal(request, "portal/timesheet.html", {
        "sheet": sheet, "entries": entries, "total": total, "cap": cap, "editable": editable, "form": form,
        "week_end": sheet.week_start + timedelta(days=6),
    }, engagement=engagement, tab="timesheets")


@portal_required
@require_POST
def timesheet_submit(request, pk, timesheet_pk):
    engagement = _hourly(request, pk)
    sheet = _timesheet(request, engagement, timesheet_pk)
    try:
        payment_services.timesheet_submit(timesheet=sheet, actor=request.user)
    except PaymentNotAllowed:
        raise Http404 from None
    except PaymentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Week of {sheet.week_start:%-d %b} submitted for approval.")
    return redirect("portal:timesheet", pk=pk, timesheet_pk=sheet.pk)


@portal_required
@require_POST
def time_entry_delete(request, pk, timesheet_pk, entry_pk):
    engagement = _hourly(request, pk)
    sheet = _timesheet(request, engagement, timesheet_pk)
    entry = engagement_child(request, engagement, TimeEntry, entry_pk, path="timesheet__engagement", timesheet=sheet)
    try:
        payment_services.timesheet_entry_delete(entry=entry, actor=request.user)
    except PaymentNotAllowed:
        raise Http404 from None
    except PaymentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Entry removed.")
    return redirect(reverse("portal:timesheet", kwargs={"pk": pk, "timesheet_pk": sheet.pk}))
