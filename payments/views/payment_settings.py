"""The workspace's payment settings (the review window; with Stripe, the payment method saved for
charges made without the owner): shown to everyone, changed by the owner.
Showing them writes nothing: an unsaved workspace reads the defaults."""

from django.contrib import messages
from django.shortcuts import redirect, render

from accounts.access import workspace_required
from accounts.forms import apply_errors

from .. import selectors, services
from ..errors import PaymentError
from ..forms import PaymentSettingsForm
from ..providers import stripe_enabled
from ._helpers import is_owner


@workspace_required
def payment_settings(request):
    current = selectors.payment_settings(request.workspace)
    form = PaymentSettingsForm(request.POST or None, instance=current)
    if request.method == "POST":
        if not is_owner(request):
            messages.error(request, "Only the workspace owner can change payment settings.")
            return redirect("payments:settings")
        if form.is_valid():
            try:
                saved = services.payment_settings_update(
                    workspace=request.workspace, actor=request.user,
                    review_window_days=form.cleaned_data["review_window_days"],
                )
            except PaymentError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"Review window set to {saved.review_window_days} days. It applies to "
                                          "work submitted from now on.")
                return redirect("payments:settings")
    stripe = stripe_enabled()
    return render(request, "payments/settings.html", {
        "form": form, "is_owner": is_owner(request), "settings": current, "stripe": stripe,
        "payment_customer": selectors.payment_customer(request.workspace) if stripe else None})
