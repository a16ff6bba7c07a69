"""An engagement's money: its page (figures, milestones with their escrow, timesheets, payouts,
budget changes, disputes), its ledger, and the owner's budget, bonus and payout forms.

Views are thin: they fetch through `engagement_for` (404 outside the workspace), validate a
form, call one service, and show its refusal on the form. Every money form carries a generated
idempotency key, so submitting it twice does the action once.
"""

from django.contrib import messages
from django.shortcuts import redirect, render

from accounts.access import workspace_required
from accounts.forms import apply_errors
from engagements.models import PayTerms

from .. import selectors, services
from ..errors import PaymentError
from ..forms import BonusForm, BudgetForm, PayoutForm, major_str
from ..models import ProviderCharge
from ..money import format_money
from ..providers import stripe_enabled
from ._helpers import charge_message, engagement_for, engagement_page_url, is_owner, milestone_page_url


@workspace_required
def engagement(request, pk):
    eng = engagement_for(request, pk)
    figures = selectors.budget_figures(eng)
    milestones = selectors.engagement_milestones(eng)
    # With Stripe, a draft milestone may have a payment under way (or failed, or abandoned).
    payments = selectors.milestone_payments(m.pk for m in milestones) if stripe_enabled() else {}
    for m in milestones:
        m.page_url = milestone_page_url(m)
        m.payment = payments.get(m.pk) if m.state == "draft" else None
    return render(request, "payments/engagement.html", {
        "engagement": eng,
        "figures": figures,
        "milestones": milestones,
        "timesheets": selectors.timesheets_for(eng) if eng.pay_terms == PayTerms.HOURLY else [],
        "payouts": selectors.engagement_payouts(eng),
        "budget_changes": selectors.engagement_budget_changes(eng, limit=10),
        "disputes": selectors.engagement_disputes(eng),
        "engagement_url": engagement_page_url(eng),
        "is_owner": is_owner(request),
        "is_hourly": eng.pay_terms == PayTerms.HOURLY,
        # Stripe: bonuses, hours, retainer periods, commissions charged to the owner and not paid yet.
        "open_charges": selectors.open_charges(eng) if stripe_enabled() else [],
    })


@workspace_required
def ledger(request, pk):
    eng = engagement_for(request, pk)
    return render(request, "payments/ledger.html", {
        "engagement": eng, "transactions": selectors.engagement_ledger(eng),
        "figures": selectors.budget_figures(eng),
    })


@workspace_required
def budget(request, pk):
    eng = engagement_for(request, pk)
    form = BudgetForm(request.POST or None, currency=eng.currency,
                      initial={"budget": major_str(eng.budget, eng.currency),
                               "contingency_percent": eng.contingency_percent})
    if request.method == "POST" and form.is_valid():
        try:
            services.engagement_budget_change(engagement=eng, actor=request.user, budget=form.cleaned_data["budget"],
                                              contingency_percent=form.cleaned_data["contingency_percent"],
                                              reason=form.cleaned_data["reason"])
        except PaymentError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Budget changed; the change is kept on the engagement's record.")
            return redirect("payments:engagement", eng.pk)
    return render(request, "payments/budget.html", {
        "page_title": "Change the budget", "engagement": eng, "form": form,
        "figures": selectors.budget_figures(eng), "is_owner": is_owner(request),
        "changes": selectors.engagement_budget_changes(eng),
    })


@workspace_required
def bonus(request, pk):
    eng = engagement_for(request, pk)
    form = BonusForm(request.POST or None, currency=eng.currency)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            result = services.bonus_pay(engagement=eng, actor=request.user, amount=c["amount"], note=c["note"],
                                        idempotency_key=c["idempotency_key"], currency=eng.currency)
        except PaymentError as exc:
            apply_errors(form, exc)
        else:
            if result.replayed:
                messages.info(request, "That bonus was already recorded; nothing was done twice.")
            elif isinstance(result, ProviderCharge):
                charge_message(request, result)
            else:
                messages.success(request, f"Bonus of {format_money(c['amount'], eng.currency)} added; it is owed "
                                          f"to {eng.freelancer.name}.")
            return redirect("payments:engagement", eng.pk)
    return render(request, "payments/bonus.html", {
        "page_title": "Add a bonus", "engagement": eng, "form": form, "figures": selectors.budget_figures(eng),
        "is_owner": is_owner(request),
    })


@workspace_required
def payout(request, pk):
    eng = engagement_for(request, pk)
    owed = selectors.owed_on(eng)
    form = PayoutForm(request.POST or None, currency=eng.currency, owed=owed)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            result = services.payout_record(
                engagement=eng, actor=request.user, amount=c["amount"], method=c["method"], reference=c["reference"],
                paid_on=c["paid_on"], note=c["note"], idempotency_key=c["idempotency_key"], currency=eng.currency,
            )
        except PaymentError as exc:
            apply_errors(form, exc)
        else:
            if result.replayed:
                messages.info(request, "That payout was already recorded; nothing was done twice.")
            else:
                messages.success(request, f"Payout of {format_money(c['amount'], eng.currency)} to "
                                          f"{eng.freelancer.name} recorded.")
            return redirect("payments:engagement", eng.pk)
    return render(request, "payments/payout.html", {
        "page_title": f"Record a payout to {eng.freelancer.name}", "engagement": eng, "form": form, "owed": owed,
        "is_owner": is_owner(request), "hide_form": owed <= 0 and not form.is_bound,
    })
