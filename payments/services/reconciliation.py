"""Daily reconciliation: Stripe's balance transactions of the last days matched to what we
asked of Stripe (payments/models/reconciliation.py says the model).

Every intent that succeeded in the window expects one balance transaction on the platform,
found by its provider id (a charge `ch_…`, a transfer `tr_…`, a refund `re_…`) and of its
amount; a charge's fee is taken from it (and posted) when we never read it. An expectation without its
transaction, or with another amount, is unexplained for its workspace: listed on the dashboard's
money card and written to the audit log. Stripe's movements that none of ours explains (other
than Stripe's own fees and payouts of the platform) go on the platform's run. And the whole is
checked: the platform's balance must cover what the ledger holds at Stripe
(reconciliation_balance.py).
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record

from ..models import IntentKind, IntentStatus, ProviderIntent, ReconciliationException, ReconciliationRun
from ..providers import payments_provider, stripe_enabled
from .provider_fees import provider_fee_post
from .reconciliation_balance import balance_shortfalls

WINDOW = timedelta(days=7)
EVERY = timedelta(hours=23)
# A charge (a Checkout, or an off-session charge of a saved method) is matched by its charge id.
CHARGES = (IntentKind.CHECKOUT, IntentKind.CHARGE)
EXPECTED = (*CHARGES, IntentKind.TRANSFER, IntentKind.REFUND)
# Platform movements that are Stripe's own business, not a money action of a workspace.
OWN_TYPES = {"payout", "stripe_fee", "adjustment", "topup", "application_fee", "payment_refund"}


def _balance_transactions(provider, since):
    found, after = {}, None
    while True:
        page = provider.balance_transactions_list(created_gte=int(since.timestamp()), starting_after=after)
        for bt in page.get("data", []):
            source = bt.get("source")
            source = source.get("id") if isinstance(source, dict) else source
            found.setdefault(source or bt["id"], bt)
        if not page.get("has_more") or not page.get("data"):
            return found
        after = page["data"][-1]["id"]


def _check(intent, bt):
    """Why `bt` does not explain `intent` (None when it does)."""
    if bt is None:
        return "Stripe shows no balance transaction for it."
    if abs(bt.get("amount", 0)) != intent.amount:
        return f"Stripe moved {abs(bt.get('amount', 0))}, the ledger {intent.amount}."
    return None


def reconciliation_run(*, now=None):
    """Match the window's intents to Stripe's balance transactions; one run per workspace (and
    one for the platform). Returns the runs."""
    if not stripe_enabled():
        return []
    now = now or timezone.now()
    # The beat asks hourly; the work is done once a day (the platform's run marks the day).
    if ReconciliationRun.objects.filter(workspace=None, ran_at__gt=now - EVERY).exists():
        return []
    since = now - WINDOW
    provider = payments_provider()
    found = _balance_transactions(provider, since)
    intents = ProviderIntent.objects.filter(kind__in=EXPECTED, status=IntentStatus.SUCCEEDED,
                                            updated_at__gte=since).order_by("workspace_id", "id")
    results = {}
    for intent in intents:
        provider_id = intent.charge_id if intent.kind in CHARGES else intent.provider_id
        bt = found.pop(provider_id, None)
        reason = _check(intent, bt)
        matched, exceptions = results.setdefault(intent.workspace_id, ([0], []))
        if reason is None:
            matched[0] += 1
            if intent.kind in CHARGES and intent.fee is None:
                ProviderIntent.objects.filter(pk=intent.pk).update(fee=bt.get("fee"))
                provider_fee_post(intent=intent, fee=bt.get("fee"), details=bt.get("fee_details") or ())
        else:
            exceptions.append((provider_id, intent.amount, intent.currency, reason))
    strays = [(source, bt.get("amount", 0), (bt.get("currency") or "").upper(),
               f"A {bt.get('type')} at Stripe that no money action here explains.")
              for source, bt in found.items() if bt.get("type") not in OWN_TYPES]
    results.setdefault(None, ([0], []))[1].extend(strays)
    for workspace_id, short in balance_shortfalls(provider).items():
        results.setdefault(workspace_id, ([0], []))[1].extend(short)
    return [_record(workspace_id, matched[0], exceptions, now) for workspace_id, (matched, exceptions) in
            results.items()]


@transaction.atomic
def _record(workspace_id, matched, exceptions, now):
    run = ReconciliationRun.objects.create(workspace_id=workspace_id, ran_at=now, matched=matched,
                                           unexplained_count=len(exceptions))
    ReconciliationException.objects.bulk_create([
        ReconciliationException(run=run, provider_id=pid, amount=amount, currency=currency[:3], reason=reason[:300])
        for pid, amount, currency, reason in exceptions])
    if workspace_id is not None:
        for pid, amount, currency, reason in exceptions:
            audit_record(workspace=workspace_id, action="money.provider_unexplained", obj=run,
                         detail=f"{pid}: {amount} minor units {currency}. {reason}")
    return run
