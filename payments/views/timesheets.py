"""A week of an hourly engagement: its entries and amount, and the owner's approve (with an
idempotency key), dispute and extend."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import get_for_workspace, workspace_required

from .. import services
from ..errors import PaymentError
from ..forms import ExtendForm, IdempotentForm, TimesheetDisputeForm
from ..models import ProviderCharge, Timesheet, amount_for
from ._helpers import charge_message, is_owner


def _timesheet(request, pk):
    return get_for_workspace(request, Timesheet.objects.select_related("engagement__freelancer",
                                                                        "engagement__workspace", "transaction"),
                             pk=pk, workspace_path="engagement__workspace")


@workspace_required
def timesheet(request, pk):
    ts = _timesheet(request, pk)
    entries = list(ts.entries.all())
    total = sum(e.minutes for e in entries)
    rate = ts.hourly_rate or (ts.engagement.freelancer.rate_amount
                              if ts.engagement.freelancer.rate_unit == "hour" else None)
    return render(request, "payments/timesheet.html", {
        "timesheet": ts, "engagement": ts.engagement, "entries": entries, "total": total, "rate": rate,
        "amount": amount_for(total, rate) if rate else None,
        "approve_form": IdempotentForm(), "dispute_form": TimesheetDisputeForm(), "extend_form": ExtendForm(),
        "is_owner": is_owner(request), "cap_minutes": (ts.engagement.weekly_hour_cap or 0) * 60,
    })


@workspace_required
@require_POST
def timesheet_action(request, pk, action):
    ts = _timesheet(request, pk)
    try:
        if action == "approve":
            form = IdempotentForm(request.POST)
            if not form.is_valid():
                raise Http404
            result = services.timesheet_approve(timesheet=ts, actor=request.user,
                                                idempotency_key=form.cleaned_data["idempotency_key"])
            if result.replayed:
                messages.info(request, "That week was already approved; nothing was done twice.")
            elif isinstance(result, ProviderCharge):
                charge_message(request, result)
            else:
                messages.success(request, "Week approved: the amount is now owed to the freelancer.")
        elif action == "dispute":
            form = TimesheetDisputeForm(request.POST)
            if not form.is_valid():
                messages.error(request, "Say what is wrong with this week.")
                return redirect("payments:timesheet", ts.pk)
            services.timesheet_dispute(timesheet=ts, actor=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, "Week disputed; the freelancer was asked to correct it.")
        elif action == "extend":
            form = ExtendForm(request.POST)
            if not form.is_valid():
                messages.error(request, "Extend by 1 to 14 days.")
                return redirect("payments:timesheet", ts.pk)
            services.timesheet_approval_extend(timesheet=ts, actor=request.user, days=form.cleaned_data["days"])
            messages.success(request, "Approval window extended.")
        else:
            raise Http404
    except PaymentError as exc:
        messages.error(request, exc.message)
    return redirect("payments:timesheet", ts.pk)
