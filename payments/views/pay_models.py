"""The owner's pages of the retainer and commission pay models: an engagement's retainer periods
(hours used against hours included, a dispute, the settlement of a disputed period) and its
commission reports (report a month, or correct it; resolve a disputed report). Each POST names
the period or report it acts on, fetched through the engagement (404 outside the workspace)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from accounts.access import workspace_required
from accounts.forms import apply_errors
from engagements.models import PayTerms

from .. import selectors, services
from ..errors import PaymentError
from ..forms import CommissionReportForm, IdempotentForm, ReasonForm, ResolveForm
from ..models import CommissionReport, CommissionStatus, RetainerPeriod, RetainerPeriodState
from ..money import format_money
from ._helpers import engagement_for, is_owner


def _resolve_form(period, data=None):
    return ResolveForm(data, prefix=f"p{period.pk}", currency=period.currency, escrowed=period.amount)


@workspace_required
def retainer(request, pk):
    engagement = engagement_for(request, pk)
    status, dispute_forms = 200, {}
    if request.method == "POST":
        period = get_object_or_404(RetainerPeriod, engagement=engagement, pk=request.POST.get("period") or 0)
        try:
            if request.POST.get("action") == "resolve":
                form = _resolve_form(period, request.POST)
                if form.is_valid():
                    c = form.cleaned_data
                    services.retainer_period_resolve(period=period, actor=request.user, note=c["note"],
                                                     release_amount=c["release_amount"],
                                                     refund_amount=c["refund_amount"],
                                                     idempotency_key=c["idempotency_key"])
                    messages.success(request, "The disputed period is settled.")
                    return redirect("payments:retainer", pk)
                messages.error(request, " ".join(form.non_field_errors()) or "Check the amounts.")
                status = 400
            else:
                form = ReasonForm(request.POST)
                if form.is_valid():
                    services.retainer_period_dispute(period=period, actor=request.user,
                                                     reason=form.cleaned_data["reason"])
                    messages.success(request, "Period disputed: its money stays held until you settle it.")
                    return redirect("payments:retainer", pk)
                dispute_forms[period.pk], status = form, 400
        except PaymentError as exc:
            messages.error(request, str(exc))
            return redirect("payments:retainer", pk)
    periods = selectors.retainer_periods_for(engagement)
    for period in periods:
        period.dispute_form = dispute_forms.get(period.pk) or ReasonForm()
        period.resolve_form = _resolve_form(period) if period.state == RetainerPeriodState.DISPUTED else None
    return render(request, "payments/retainer.html", {
        "engagement": engagement, "periods": periods, "is_owner": is_owner(request),
        "is_retainer": engagement.pay_terms == PayTerms.RETAINER,
    }, status=status)


@workspace_required
def commission(request, pk):
    engagement = engagement_for(request, pk)
    form = CommissionReportForm(currency=engagement.currency)
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "resolve":
                report = get_object_or_404(CommissionReport, engagement=engagement, pk=request.POST.get("report") or 0)
                key_form = IdempotentForm(request.POST)
                if key_form.is_valid():
                    services.commission_report_resolve(report=report, actor=request.user,
                                                       idempotency_key=key_form.cleaned_data["idempotency_key"],
                                                       note=request.POST.get("note", ""))
                    messages.success(request, "The report was resolved as reported: the commission is owed.")
                    return redirect("payments:commission", pk)
            else:
                form = CommissionReportForm(request.POST, currency=engagement.currency)
                if form.is_valid():
                    report = services.commission_report_create(engagement=engagement, actor=request.user,
                                                               **form.cleaned_data)
                    messages.success(request, f"Reported: a commission of "
                                              f"{format_money(report.commission_amount, report.currency)} for "
                                              f"{report.period:%B %Y}.")
                    return redirect("payments:commission", pk)
                status = 400
        except PaymentError as exc:
            if getattr(exc, "field", None) in form.fields:
                apply_errors(form, exc)
                status = 400
            else:
                messages.error(request, str(exc))
                return redirect("payments:commission", pk)
    reports = selectors.commission_reports_for(engagement)
    return render(request, "payments/commission.html", {
        "engagement": engagement, "reports": reports, "form": form, "is_owner": is_owner(request),
        "is_commission": engagement.pay_terms == PayTerms.COMMISSION, "resolve_form": IdempotentForm(),
        "disputed": CommissionStatus.DISPUTED,
    }, status=status)
