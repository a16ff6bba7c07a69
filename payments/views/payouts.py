"""The owner turns on payouts through the payment provider for a freelancer (from the money
panel on the freelancer's page); the freelancer then sets them up in the portal."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from accounts.access import get_for_workspace, workspace_required
from freelancers.models import Freelancer

from .. import services
from ..errors import PaymentError


@workspace_required
@require_POST
def payouts_enable(request, pk):
    freelancer = get_for_workspace(request, Freelancer.objects.select_related("workspace", "user"), pk=pk)
    try:
        account = services.payout_account_enable(freelancer=freelancer, actor=request.user)
    except PaymentError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Payouts through Stripe are on for {freelancer.name}: "
                                  f"{account.get_status_display().lower()}. They were emailed how to set them up.")
    return redirect("freelancers:detail", freelancer.pk)
