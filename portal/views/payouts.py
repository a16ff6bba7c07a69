"""The freelancer's payouts through the payment provider: where they stand with Stripe (as
`account.updated` last said) and the way to Stripe's own onboarding. A one-time Account Link is
made when they ask for it (links expire in minutes), never shown in advance."""

from django.contrib import messages
from django.shortcuts import redirect

from payments import selectors, services
from payments.errors import PaymentError
from payments.providers import payments_provider

from ..access import portal_required
from ._helpers import render_portal


@portal_required
def payouts(request):
    provider = payments_provider()
    account = selectors.payout_account_of(request.freelancer) if provider.moves_money else None
    if request.method == "POST" and account is not None:
        try:
            return redirect(services.payout_account_link(account=account))
        except PaymentError as exc:
            messages.error(request, exc.message)
    return render_portal(request, "portal/payouts.html", {
        "provider": provider, "account": account,
    }, tab="money")
