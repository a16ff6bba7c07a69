"""The owner's money pages: overview, an engagement's money, the milestone actions with their
confirmation step, timesheets, bonuses, payouts, statements (screen, CSV, print), settings.

Views are thin: they fetch through `get_for_workspace` (404 outside the workspace), validate a
form, call one service, and show its refusal on the form. Every money form carries a generated
idempotency key, so submitting it twice does the action once.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import get_for_workspace, workspace_required
from accounts.forms import apply_errors
from accounts.models import Role
from engagements.models import Engagement, Milestone, MilestoneState, PayTerms
from freelancers.models import Freelancer

from . import selectors, services
from .errors import PaymentError
from .escrow import current_review_clock, escrowed_for
from .forms import (
    BonusForm,
    BudgetForm,
    DisputeForm,
    ExtendForm,
    FundForm,
    IdempotentForm,
    PaymentSettingsForm,
    PayoutForm,
    RefundForm,
    ReleaseForm,
    ResolveForm,
    TimesheetDisputeForm,
    major_str,
)
from .models import Dispute, PaymentSettings, Timesheet
from .money import format_money
from .statements import statement_csv_response
from .timesheets import amount_for

S = MilestoneState


def _is_owner(request):
    return request.membership is not None and request.membership.role == Role.OWNER


def engagement_page_url(engagement):
    """The engagement's own page in the engagements app, when it has one."""
    try:
        return reverse("engagements:detail", args=[engagement.pk])
    except NoReverseMatch:
        return ""


def milestone_page_url(milestone):
    """The milestone's page in the engagements app (its submissions), when it has one."""
    try:
        return reverse("engagements:milestone", kwargs={"pk": milestone.engagement_id, "milestone_pk": milestone.pk})
    except NoReverseMatch:
        return ""


# --- Overview and engagement ------------------------------------------------------------------
@workspace_required
def overview(request):
    return render(request, "payments/overview.html", {
        "overview": selectors.workspace_overview(request.workspace),
        "window": selectors.review_window(request.workspace),
        "is_owner": _is_owner(request),
    })


def _engagement(request, pk):
    return get_for_workspace(request, Engagement.objects.select_related("freelancer", "workspace"), pk=pk)


@workspace_required
def engagement(request, pk):
    eng = _engagement(request, pk)
    figures = selectors.budget_figures(eng)
    milestones = selectors.engagement_milestones(eng)
    for m in milestones:
        m.page_url = milestone_page_url(m)
    return render(request, "payments/engagement.html", {
        "engagement": eng,
        "figures": figures,
        "milestones": milestones,
        "timesheets": selectors.timesheets_for(eng) if eng.pay_terms == PayTerms.HOURLY else [],
        "payouts": eng.payouts.select_related("created_by")[:20],
        "budget_changes": eng.budget_changes.select_related("changed_by")[:10],
        "disputes": Dispute.objects.filter(milestone__engagement=eng).select_related("milestone", "raised_by")[:20],
        "engagement_url": engagement_page_url(eng),
        "is_owner": _is_owner(request),
        "is_hourly": eng.pay_terms == PayTerms.HOURLY,
    })


@workspace_required
def ledger(request, pk):
    eng = _engagement(request, pk)
    return render(request, "payments/ledger.html", {
        "engagement": eng, "transactions": selectors.engagement_ledger(eng),
        "figures": selectors.budget_figures(eng),
    })


# --- Milestone actions ------------------------------------------------------------------------
ACTIONS = {
    "fund": {"title": "Fund", "states": {S.DRAFT}, "owner_only": True, "button": "Fund and hold in escrow",
             "style": "primary"},
    "release": {"title": "Release payment", "states": {S.SUBMITTED}, "owner_only": True,
                "button": "Release to the freelancer", "style": "success"},
    "refund": {"title": "Cancel and refund", "states": {S.FUNDED}, "owner_only": True,
               "button": "Cancel the milestone and refund me", "style": "warning"},
    "dispute": {"title": "Open a dispute", "states": {S.FUNDED, S.SUBMITTED, S.CHANGES_REQUESTED},
                "owner_only": False, "button": "Open the dispute and freeze the money", "style": "danger"},
    "resolve": {"title": "Resolve the dispute", "states": {S.DISPUTED}, "owner_only": True,
                "button": "Settle the dispute", "style": "primary"},
    "extend": {"title": "Extend the review", "states": {S.SUBMITTED}, "owner_only": False,
               "button": "Extend the review", "style": "secondary"},
}


def _action_form(action, request, milestone, escrowed):
    data = request.POST if request.method == "POST" else None
    currency = milestone.engagement.currency
    if action == "fund":
        return FundForm(data, initial={"expected_amount": milestone.amount})
    if action == "release":
        return ReleaseForm(data)
    if action == "refund":
        return RefundForm(data)
    if action == "dispute":
        return DisputeForm(data)
    if action == "resolve":
        half = escrowed // 2
        return ResolveForm(data, currency=currency, escrowed=escrowed,
                           initial={"release_amount": major_str(escrowed - half, currency),
                                    "refund_amount": major_str(half, currency)})
    return ExtendForm(data)


def _perform(action, request, milestone, form):
    c, user = form.cleaned_data, request.user
    key = c.get("idempotency_key")
    if action == "fund":
        return services.milestone_fund(milestone=milestone, actor=user, idempotency_key=key,
                                       expected_amount=c["expected_amount"], currency=milestone.engagement.currency)
    if action == "release":
        return services.milestone_release(milestone=milestone, actor=user, idempotency_key=key)
    if action == "refund":
        return services.milestone_refund(milestone=milestone, actor=user, idempotency_key=key, reason=c["reason"])
    if action == "dispute":
        return services.milestone_dispute(milestone=milestone, actor=user, reason=c["reason"], idempotency_key=key)
    if action == "resolve":
        return services.milestone_resolve(milestone=milestone, actor=user, release_amount=c["release_amount"],
                                          refund_amount=c["refund_amount"], note=c["note"], idempotency_key=key)
    return services.milestone_review_extend(milestone=milestone, actor=user, days=c["days"], reason=c["reason"])


def _done_message(action, milestone, result, currency):
    if getattr(result, "replayed", False):
        return messages.INFO, "That was already done; nothing was done twice."
    amount = format_money(milestone.amount, currency)
    return messages.SUCCESS, {
        "fund": f"{amount} is now held in escrow for “{milestone.title}”.",
        "release": f"“{milestone.title}” released: the money is now owed to the freelancer.",
        "refund": f"“{milestone.title}” cancelled; the escrow went back to you.",
        "dispute": f"Dispute opened on “{milestone.title}”; the money in escrow is frozen.",
        "resolve": f"The dispute on “{milestone.title}” is settled.",
        "extend": f"The review of “{milestone.title}” was extended.",
    }[action]


@workspace_required
def milestone_action(request, pk, action):
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404("No such action")
    milestone = get_for_workspace(
        request, Milestone.objects.select_related("engagement__freelancer", "engagement__workspace"),
        pk=pk, workspace_path="engagement__workspace",
    )
    engagement = milestone.engagement
    escrowed = escrowed_for(milestone)
    form = _action_form(action, request, milestone, escrowed)
    if request.method == "POST" and form.is_valid():
        try:
            result = _perform(action, request, milestone, form)
        except PaymentError as exc:
            apply_errors(form, exc)
        else:
            level, text = _done_message(action, milestone, result, engagement.currency)
            messages.add_message(request, level, text)
            return redirect("payments:engagement", engagement.pk)
    figures = selectors.budget_figures(engagement)
    return render(request, "payments/milestone_action.html", {
        "milestone": milestone, "engagement": engagement, "action": action, "spec": spec, "form": form,
        "escrowed": escrowed, "figures": figures, "fits_state": milestone.state in spec["states"],
        "may_act": _is_owner(request) or not spec["owner_only"],
        "clock": current_review_clock(milestone),
        "after_funding": figures.committed + milestone.amount,
        "open_dispute": Dispute.objects.filter(milestone=milestone, resolved_at__isnull=True).first(),
        "milestone_url": milestone_page_url(milestone),
    })


# --- Budget, bonus, payout --------------------------------------------------------------------
@workspace_required
def budget(request, pk):
    eng = _engagement(request, pk)
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
        "figures": selectors.budget_figures(eng), "is_owner": _is_owner(request),
        "changes": eng.budget_changes.select_related("changed_by"),
    })


@workspace_required
def bonus(request, pk):
    eng = _engagement(request, pk)
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
            else:
                messages.success(request, f"Bonus of {format_money(c['amount'], eng.currency)} added; it is owed "
                                          f"to {eng.freelancer.name}.")
            return redirect("payments:engagement", eng.pk)
    return render(request, "payments/bonus.html", {
        "page_title": "Add a bonus", "engagement": eng, "form": form, "figures": selectors.budget_figures(eng),
        "is_owner": _is_owner(request),
    })


@workspace_required
def payout(request, pk):
    eng = _engagement(request, pk)
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
        "is_owner": _is_owner(request), "hide_form": owed <= 0 and not form.is_bound,
    })


# --- Timesheets -------------------------------------------------------------------------------
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
        "is_owner": _is_owner(request), "cap_minutes": (ts.engagement.weekly_hour_cap or 0) * 60,
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


# --- Statements -------------------------------------------------------------------------------
def _statement_response(request, statement, *, template_context, filename, engagement_columns):
    fmt = request.GET.get("format")
    if fmt == "csv":
        return statement_csv_response(statement, filename, engagement_columns=engagement_columns)
    template = "payments/statement_print.html" if fmt == "print" else "payments/statement.html"
    return render(request, template, {**template_context, "statement": statement,
                                      "engagement_columns": engagement_columns})


@workspace_required
def engagement_statement(request, pk):
    eng = _engagement(request, pk)
    return _statement_response(
        request, selectors.engagement_statement(eng), filename=f"statement-engagement-{eng.pk}.csv",
        engagement_columns=True,
        template_context={"engagement": eng, "subject": eng.title, "figures": selectors.budget_figures(eng),
                          "back_url": reverse("payments:engagement", args=[eng.pk])},
    )


@workspace_required
def freelancer_statement(request, pk):
    freelancer = get_for_workspace(request, Freelancer, pk=pk)
    return _statement_response(
        request, selectors.freelancer_statement(freelancer), filename=f"statement-freelancer-{freelancer.pk}.csv",
        engagement_columns=False,
        template_context={"freelancer": freelancer, "subject": freelancer.name,
                          "owed_by_engagement": selectors.freelancer_owed_by_engagement(freelancer),
                          "back_url": reverse("payments:overview")},
    )


# --- Settings ---------------------------------------------------------------------------------
@workspace_required
def payment_settings(request):
    current, _ = PaymentSettings.objects.get_or_create(workspace=request.workspace)
    form = PaymentSettingsForm(request.POST or None, instance=current)
    if request.method == "POST":
        if not _is_owner(request):
            messages.error(request, "Only the workspace owner can change payment settings.")
            return redirect("payments:settings")
        if form.is_valid():
            settings = form.save(commit=False)
            settings.updated_by = request.user
            settings.updated_at = timezone.now()
            settings.save()
            messages.success(request, f"Review window set to {settings.review_window_days} days. It applies to "
                                      "work submitted from now on.")
            return redirect("payments:settings")
    return render(request, "payments/settings.html", {"form": form, "is_owner": _is_owner(request),
                                                      "settings": current})

