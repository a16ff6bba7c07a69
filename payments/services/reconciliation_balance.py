"""Held funds never exceed the platform's Stripe balance: the reconciliation's check of the
whole, beside its matching of each movement (reconciliation.py).

What the ledger holds at Stripe is the escrow and the still-owed part of every milestone paid
through Checkout (the sum of those milestones' escrow and payable entries: funding puts it in, a
transfer or a refund takes it out, so a release still waiting for the freelancer's payouts stays
counted), and likewise of every off-session charge (a retainer period held for its month, a
bonus or approved hours owed until transferred). The platform's balance at Stripe (available +
pending, per currency) must cover it. Stripe's fees come out of that balance while the ledger
holds the full amounts (the fee is the platform's cost under separate charges and transfers), so
the platform covers them from its own money; a balance short of the held funds is an exception,
with the figures, for every workspace holding money in that currency, and one on the platform's
run.
"""

from django.db.models import Exists, OuterRef, Sum

from ..models import AccountKind, Entry, IntentKind, IntentStatus, ProviderIntent, Transaction
from ..money import format_money
from .provider_sources import charged_at_provider


def held_at_provider():
    """{(workspace id, currency): minor units the ledger holds at Stripe} (non-zero only)."""
    charged = ProviderIntent.objects.filter(milestone=OuterRef("transaction__milestone"), kind=IntentKind.CHECKOUT,
                                            status=IntentStatus.SUCCEEDED)
    held = [Entry.objects.filter(Exists(charged))]
    # Money charged off-session (a bonus, approved hours, a commission, a retainer period): the
    # postings its charge made or settled, and the transfers made from them. A retainer period
    # is held here for its whole month.
    off_session = Transaction.objects.filter(charged_at_provider(), milestone=None)
    transfers = ProviderIntent.objects.filter(kind=IntentKind.TRANSFER, status=IntentStatus.SUCCEEDED,
                                              source_transaction__in=off_session).values("ledger_transaction")
    held.append(Entry.objects.filter(transaction__in=off_session) | Entry.objects.filter(transaction__in=transfers))
    totals = {}
    for entries in held:
        rows = (entries.filter(account__kind__in=[AccountKind.ESCROW, AccountKind.PAYABLE])
                .values("transaction__workspace_id", "currency").annotate(total=Sum("amount")).order_by())
        for row in rows:
            key = (row["transaction__workspace_id"], row["currency"])
            totals[key] = totals.get(key, 0) + (row["total"] or 0)
    return {key: total for key, total in totals.items() if total}


def balance_shortfalls(provider):
    """{workspace id or None (the platform): [(provider id, amount, currency, reason)]} for
    every currency whose platform balance is below the held funds."""
    held = held_at_provider()
    balance = provider.balance_retrieve()
    by_currency = {}
    for (workspace_id, currency), amount in held.items():
        by_currency.setdefault(currency, {})[workspace_id] = amount
    found = {}
    for currency, shares in sorted(by_currency.items()):
        total, at_stripe = sum(shares.values()), balance.get(currency, 0)
        if at_stripe >= total:
            continue
        short = total - at_stripe
        reason = (f"The platform's Stripe balance ({format_money(at_stripe, currency)} available and pending) is "
                  f"{format_money(short, currency)} short of the {format_money(total, currency)} held for "
                  "payments made through Stripe")
        found.setdefault(None, []).append((f"balance:{currency.lower()}", short, currency, reason + "."))
        for workspace_id, amount in shares.items():
            share = f"{reason} ({format_money(amount, currency)} of it for this workspace)."
            found.setdefault(workspace_id, []).append((f"balance:{currency.lower()}", short, currency, share))
    return found
