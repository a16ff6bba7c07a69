"""A milestone's money actions, each with its confirmation step: fund, release, cancel and
refund, dispute, resolve, extend the review, ask for money back after release. One table
(`ACTIONS`) says which states each fits and whether only the owner may take it; the page
explains instead of offering what does not fit.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from accounts.access import get_for_workspace, workspace_required
from accounts.forms import apply_errors
from engagements.models import Milestone, MilestoneState
from engagements.selectors import agreement_block

from .. import selectors, services
from ..errors import PaymentError
from ..forms import (
    DisputeForm,
    ExtendForm,
    FundForm,
    RefundForm,
    RefundRequestForm,
    ReleaseForm,
    ResolveForm,
    major_str,
)
from ..models import ProviderIntent
from ..money import format_money
from ..providers import stripe_enabled
from ._helpers import is_owner, milestone_page_url

S = MilestoneState


ACTIONS = {
    "fund": {"title": "Fund", "states": {S.DRAFT}, "owner_only": True, "button": "Fund and hold",
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
    "ask-refund": {"title": "Ask for money back", "states": {S.RELEASED}, "owner_only": True,
                   "button": "Send the request to the freelancer", "style": "warning"},
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
    if action == "ask-refund":
        return RefundRequestForm(data, currency=currency)
    if action == "resolve":
        half = escrowed // 2
        return ResolveForm(data, currency=currency, escrowed=escrowed,
                           initial={"release_amount": major_str(escrowed - half, currency),
                                    "refund_amount": major_str(half, currency)})
    return ExtendForm(data)


def _perform(action, request, milestone, form):
    c, user = form.cleaned_data, request.user
    key = c.get("idempotency_key")
    if action == "fund" and stripe_enabled():
        return services.milestone_checkout_start(
            milestone=milestone, actor=user, idempotency_key=key, expected_amount=c["expected_amount"],
            currency=milestone.engagement.currency)
    if action == "fund":
        return services.milestone_fund(milestone=milestone, actor=user, idempotency_key=key,
                                       expected_amount=c["expected_amount"], currency=milestone.engagement.currency)
    if action == "release":
        return services.milestone_release(milestone=milestone, actor=user, idempotency_key=key)
    if action == "refund":
        return services.milestone_refund(milestone=milestone, actor=user, idempotency_key=key, reason=c["reason"])
    if action == "dispute":
        return services.milestone_dispute(milestone=milestone, actor=user, reason=c["reason"], idempotency_key=key)
    if action == "ask-refund":
        return services.refund_request(milestone=milestone, actor=user, reason=c["reason"], amount=c.get("amount"))
    if action == "resolve":
        return services.milestone_resolve(milestone=milestone, actor=user, release_amount=c["release_amount"],
                                          refund_amount=c["refund_amount"], note=c["note"], idempotency_key=key)
    return services.milestone_review_extend(milestone=milestone, actor=user, days=c["days"], reason=c["reason"])


def _done_message(action, milestone, result, currency):
    if getattr(result, "replayed", False):
        return messages.INFO, "That was already done; nothing was done twice."
    amount = format_money(milestone.amount, currency)
    return messages.SUCCESS, {
        "fund": f"{amount} is now held for “{milestone.title}”.",
        "release": f"“{milestone.title}” released: the money is now owed to the freelancer.",
        "refund": f"“{milestone.title}” cancelled; the held funds went back to you.",
        "dispute": f"Dispute opened on “{milestone.title}”; the held funds are frozen.",
        "resolve": f"The dispute on “{milestone.title}” is settled.",
        "extend": f"The review of “{milestone.title}” was extended.",
        "ask-refund": f"Your request was sent to {milestone.engagement.freelancer.name}. Released money is theirs: "
                      "they decide whether to refund it.",
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
    escrowed = selectors.escrowed_for(milestone)
    form = _action_form(action, request, milestone, escrowed)
    if request.method == "POST" and form.is_valid():
        try:
            result = _perform(action, request, milestone, form)
        except PaymentError as exc:
            apply_errors(form, exc)
        else:
            if isinstance(result, ProviderIntent):  # paid on Stripe's Checkout page; funded when Stripe confirms
                return redirect(result.url)
            level, text = _done_message(action, milestone, result, engagement.currency)
            messages.add_message(request, level, text)
            return redirect("payments:engagement", engagement.pk)
    figures = selectors.budget_figures(engagement)
    if action == "fund" and stripe_enabled():
        spec = {**spec, "button": "Continue to payment (Stripe)"}
    return render(request, "payments/milestone_action.html", {
        "milestone": milestone, "engagement": engagement, "action": action, "spec": spec, "form": form,
        "escrowed": escrowed, "figures": figures, "fits_state": milestone.state in spec["states"],
        "may_act": is_owner(request) or not spec["owner_only"],
        "clock": selectors.current_review_clock(milestone),
        "after_funding": figures.committed + milestone.amount,
        "open_dispute": selectors.open_dispute(milestone),
        "milestone_url": milestone_page_url(milestone),
        "agreement_block": agreement_block(engagement, action="fund a milestone") if action == "fund" else None,
        "refund_figures": selectors.released_refund_figures(milestone) if action == "ask-refund" else None,
        "refunds": selectors.released_refunds_of(milestone) if action == "ask-refund" else (),
        "open_ask": selectors.open_refund_request(milestone) if action == "ask-refund" else None,
    })
