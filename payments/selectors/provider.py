"""What the payment provider's rows say, for pages and the API: a milestone's payment in
progress, a freelancer's payout account, the provider objects behind an engagement's ledger."""

from ..models import IntentKind, IntentStatus, PayoutAccount, ProviderIntent, ReconciliationRun

# How a checkout reads on a draft milestone, by its status.
PAYMENT_LABELS = {
    IntentStatus.STARTED: "Payment starting", IntentStatus.PENDING: "Payment pending",
    IntentStatus.PROCESSING: "Payment processing (bank debit)", IntentStatus.FAILED: "Payment failed",
    IntentStatus.CANCELED: "Payment abandoned",
}


def milestone_payments(milestone_ids):
    """{milestone id: its latest checkout intent} for milestones not funded yet, one query."""
    latest = {}
    rows = (ProviderIntent.objects.filter(milestone_id__in=list(milestone_ids), kind=IntentKind.CHECKOUT)
            .exclude(status=IntentStatus.SUCCEEDED).order_by("milestone_id", "-created_at", "-id"))
    for intent in rows:
        latest.setdefault(intent.milestone_id, intent)
    return latest


def payout_account_of(freelancer):
    return PayoutAccount.objects.filter(freelancer=freelancer).first()


# The kind of activity a provider intent is, as the API names it.
ACTIVITY_KINDS = {IntentKind.CHECKOUT: "charge", IntentKind.CHARGE: "charge",
                  IntentKind.TRANSFER: "transfer", IntentKind.REFUND: "refund",
                  IntentKind.REVERSAL: "reversal", IntentKind.DISPUTE: "dispute"}


def provider_activity(engagement):
    """The provider objects behind the engagement's ledger, oldest first: each charge, transfer,
    refund and reversal asked of the provider (with Stripe's fee on a charge as its own line)."""
    rows = []
    intents = ProviderIntent.objects.filter(engagement=engagement).exclude(kind=IntentKind.ACCOUNT).order_by(
        "created_at", "id")
    for intent in intents:
        rows.append({"kind": ACTIVITY_KINDS[intent.kind], "provider_id": intent.charge_id or intent.provider_id,
                     "amount": intent.amount, "currency": intent.currency, "status": intent.status,
                     "ledger_transaction": intent.ledger_transaction_id or intent.source_transaction_id,
                     "created_at": intent.created_at})
        if intent.fee:
            rows.append({"kind": "fee", "provider_id": intent.charge_id, "amount": intent.fee,
                         "currency": intent.currency, "status": intent.status,
                         "ledger_transaction": intent.ledger_transaction_id, "created_at": intent.created_at})
    return rows


def latest_reconciliation(workspace):
    """The workspace's last reconciliation run, with its exceptions (None before the first)."""
    return (ReconciliationRun.objects.filter(workspace=workspace).prefetch_related("exceptions")
            .order_by("-ran_at", "-id").first())
