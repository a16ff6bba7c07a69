"""The two sets of books the Stripe rail must keep in step: what the ledger says the platform
holds for others, and what the fake Stripe says the platform owes (charged, minus transferred,
minus refunded), per milestone by the metadata every object we create carries, and in total
from the platform's balance."""

from collections import Counter, defaultdict

from django.db.models import Sum

from payments.models import AccountKind, Entry, IntentKind, IntentStatus, ProviderIntent

HELD_KINDS = (AccountKind.ESCROW, AccountKind.PAYABLE)


def ledger_held(workspace):
    """{milestone id: escrow + payable} from the ledger: what was paid in and not yet paid out or
    given back (a release moves escrow → payable: still held at Stripe until transferred)."""
    rows = (Entry.objects.filter(transaction__workspace=workspace, account__kind__in=HELD_KINDS)
            .values("transaction__milestone").annotate(total=Sum("amount")))
    return {row["transaction__milestone"]: row["total"] for row in rows if row["total"]}


def _milestone(obj):
    return int((obj.get("metadata") or {}).get("milestone") or 0) or None


def fake_owed(fake):
    """{milestone id: charged − transferred − refunded} at the fake, by the objects' metadata."""
    owed = defaultdict(int)
    for charge in fake.objects_of("charge", status="succeeded"):
        owed[_milestone(charge)] += charge["amount"]
    for transfer in fake.objects_of("transfer"):
        owed[_milestone(transfer)] -= transfer["amount"] - transfer["amount_reversed"]
    for refund in fake.objects_of("refund", status="succeeded"):
        owed[_milestone(refund)] -= refund["amount"]
    return {m: total for m, total in owed.items() if total}


def fake_owed_by_balance(fake, currency):
    """The same in total, from the platform's balance: what it holds plus the fees Stripe kept,
    less the platform's own money topped up (the reserve the operator keeps for fees)."""
    balance = fake.platform_balance(currency)
    ours = [bt for bt in fake.objects_of("balance_transaction") if bt["currency"] == currency]
    fees = sum(bt["fee"] for bt in ours)
    topped_up = sum(bt["net"] for bt in ours if bt["type"] == "topup")
    return balance["available"] + balance["pending"] + fees - topped_up


def in_flight(fake, workspace):
    """{milestone id: amount} paid at Stripe that the app does not know of yet (its events not
    delivered): a completed, paid session whose checkout intent is still open."""
    known = dict(ProviderIntent.objects.filter(workspace=workspace, kind=IntentKind.CHECKOUT)
                 .values_list("provider_id", "status"))
    flying = defaultdict(int)
    for session in fake.objects_of("checkout.session", status="complete", payment_status="paid"):
        if known.get(session["id"]) not in (IntentStatus.SUCCEEDED, IntentStatus.FAILED):
            flying[_milestone(session)] += session["amount_total"]
    return flying


def unanswered_transfers(workspace):
    """{milestone id: amount} transferred at Stripe whose answer never reached us (the intent
    still started): the recovery sweep's to record."""
    rows = (ProviderIntent.objects.filter(workspace=workspace, kind=IntentKind.TRANSFER, status=IntentStatus.STARTED)
            .values("milestone").annotate(total=Sum("amount")))
    return {row["milestone"]: row["total"] for row in rows}


def moved_twice(fake):
    """Transfers or refunds made more than once for one ledger key (and step)."""
    seen = Counter()
    for kind in ("transfer", "refund"):
        for obj in fake.objects_of(kind):
            seen[(kind, obj["metadata"].get("ledger_key"))] += 1
    return {key: n for key, n in seen.items() if n > 1}
