"""An off-session charge that failed (payments/services/provider_charges.py), paid by the owner
through Stripe Checkout: the page says what it is for and why it failed; "Pay now" opens a
Checkout for that amount (the method used is saved for the next charges)."""

from django.contrib import messages
from django.shortcuts import redirect, render

from accounts.access import get_for_workspace, workspace_required

from .. import services
from ..errors import PaymentError
from ..models import ProviderCharge
from ._helpers import is_owner


@workspace_required
def charge_pay(request, pk):
    charge = get_for_workspace(request, ProviderCharge.objects.select_related("engagement__freelancer", "workspace"),
                               pk=pk)
    if request.method == "POST":
        try:
            checkout = services.charge_checkout_start(charge=charge, actor=request.user)
        except PaymentError as exc:
            messages.error(request, exc.message)
            return redirect("payments:charge_pay", charge.pk)
        return redirect(checkout.url)
    return render(request, "payments/charge_pay.html", {"charge": charge, "engagement": charge.engagement,
                                                        "is_owner": is_owner(request)})
