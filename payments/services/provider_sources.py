"""Where the money a ledger transaction moves was charged: the Stripe charge a transfer is made
from (`source_transaction`) and a refund goes back to. A milestone's is its Checkout; a bonus's,
an approved week's or a commission's is the off-session charge that posted it; a retainer
period's release or settlement is made from the charge that funded the period. None: the money
was set aside off the platform, and nothing moves at Stripe for it."""

from django.db.models import Exists, OuterRef, Q

from ..models import ChargeStatus, IntentKind, IntentStatus, ProviderCharge, ProviderIntent


def _charges_of(tx_ref):
    return ProviderCharge.objects.filter(Q(ledger_transaction=tx_ref) | Q(retainer_period__closed_transaction=tx_ref),
                                         status=ChargeStatus.SUCCEEDED)


def charge_of(milestone_id):
    """The succeeded Checkout that put this milestone's money in the platform's Stripe balance."""
    return ProviderIntent.objects.filter(milestone_id=milestone_id, kind=IntentKind.CHECKOUT,
                                         status=IntentStatus.SUCCEEDED).exclude(ledger_transaction=None).first()


def funding_charge_of(tx):
    """The succeeded provider intent (a Checkout or an off-session charge) holding `tx`'s money."""
    if tx.milestone_id:
        return charge_of(tx.milestone_id)
    charge = _charges_of(tx).select_related("paid_by").first()
    return charge.paid_by if charge is not None else None


def charged_at_provider():
    """A filter on ledger transactions: the money they move was charged through the provider."""
    checkout = ProviderIntent.objects.filter(milestone=OuterRef("milestone"), kind=IntentKind.CHECKOUT,
                                             status=IntentStatus.SUCCEEDED)
    return Exists(checkout) | Exists(_charges_of(OuterRef("pk")))
