"""The freelancer's side of the retainer and commission pay models: their retainer periods with
the hours they used against the hours included (and a dispute, which holds a period's money),
and the commission reports of their engagement (accept — paid at once — or dispute within the
window). Every period and report is fetched through the freelancer's own engagement."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect

from engagements.models import PayTerms
from payments import selectors as money
from payments import services as payment_services
from payments.errors import NotAllowed as PaymentNotAllowed
from payments.errors import PaymentError
from payments.models import CommissionReport, RetainerPeriod

from ..access import engagement_child, portal_engagement, portal_required
from ..forms import ReasonForm, new_idempotency_key
from ._helpers import render_portal


@portal_required
def retainer(request, pk):
    engagement = portal_engagement(request, pk)
    form, status = ReasonForm(), 200
    if request.method == "POST":
        period = engagement_child(request, engagement, RetainerPeriod, request.POST.get("period") or 0)
        form = ReasonForm(request.POST)
        if form.is_valid():
            try:
                payment_services.retainer_period_dispute(period=period, actor=request.user,
                                                         reason=form.cleaned_data["reason"])
            except PaymentNotAllowed:
                raise Http404 from None
            except PaymentError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, "Period disputed: its money stays held until the owner settles it.")
            return redirect("portal:retainer", pk=pk)
        status = 400
    return render_portal(request, "portal/retainer.html", {
        "periods": money.retainer_periods_for(engagement), "form": form,
        "is_retainer": engagement.pay_terms == PayTerms.RETAINER,
    }, engagement=engagement, tab="retainer", status=status)


@portal_required
def commission(request, pk):
    engagement = portal_engagement(request, pk)
    form, status = ReasonForm(), 200
    if request.method == "POST":
        report = engagement_child(request, engagement, CommissionReport, request.POST.get("report") or 0)
        action = request.POST.get("action")
        form = ReasonForm(request.POST)
        try:
            if action == "accept":
                payment_services.commission_report_accept(
                    report=report, actor=request.user,
                    idempotency_key=(request.POST.get("idempotency_key") or "")[:255])
                messages.success(request, "Accepted: the commission is owed to you.")
                return redirect("portal:commission", pk=pk)
            if form.is_valid():
                payment_services.commission_report_dispute(report=report, actor=request.user,
                                                           reason=form.cleaned_data["reason"])
                messages.success(request, "Report disputed: nothing is paid until the owner corrects or resolves it.")
                return redirect("portal:commission", pk=pk)
            status = 400
        except PaymentNotAllowed:
            raise Http404 from None
        except PaymentError as exc:
            messages.error(request, str(exc))
            return redirect("portal:commission", pk=pk)
    return render_portal(request, "portal/commission.html", {
        "reports": money.commission_reports_for(engagement), "form": form, "accept_key": new_idempotency_key(),
        "is_commission": engagement.pay_terms == PayTerms.COMMISSION,
    }, engagement=engagement, tab="commission", status=status)
