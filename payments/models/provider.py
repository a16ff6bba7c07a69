"""What the payment provider holds for us, and what we asked of it (payments/providers/).

- `PayoutAccount`: a freelancer's connected account (Stripe Express), with the readiness Stripe
  reports in `account.updated`.
- `ProviderIntent`: one provider call that moves money or creates something, written (and
  committed) BEFORE the call with the idempotency key it will carry (`{ledger key}:{step}`), so a
  crash between the call and our commit is replayed with the same key and creates nothing twice.
  Its status only moves forward (`INTENT_RANK`).
- `ProviderEvent`: every verified webhook event, stored by Stripe's event id (unique) before we
  answer 200, processed later by a task; a duplicate delivery finds the row and stops.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .ledger import Transaction


class PayoutAccountStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the freelancer to set up payouts"
    NEEDS_INFORMATION = "needs_information", "Stripe needs more information"
    READY = "ready", "Ready to receive payouts"
    RESTRICTED = "restricted", "Restricted by Stripe"


class PayoutAccount(models.Model):
    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.PROTECT, related_name="payout_accounts")
    freelancer = models.OneToOneField("freelancers.Freelancer", on_delete=models.PROTECT,
                                      related_name="payout_account")
    provider = models.CharField(max_length=20, default="stripe")
    provider_account_id = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=20, choices=PayoutAccountStatus.choices, default=PayoutAccountStatus.PENDING)
    payouts_enabled = models.BooleanField(default=False)
    transfers_active = models.BooleanField(default=False)
    # What Stripe still asks the freelancer for (its requirement names, comma-separated), shown as-is.
    requirements_due = models.TextField(blank=True)
    enabled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    # The latest payout Stripe made from this account to the freelancer's bank (`payout.paid` /
    # `payout.failed`), shown on both sides; Stripe pays out on its automatic schedule.
    last_payout_id = models.CharField(max_length=64, blank=True)
    last_payout_status = models.CharField(max_length=20, blank=True)
    last_payout_amount = models.BigIntegerField(null=True, blank=True)
    last_payout_currency = models.CharField(max_length=3, blank=True)
    last_payout_at = models.DateTimeField(null=True, blank=True)
    last_payout_failure = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Payout account {self.provider_account_id} of {self.freelancer_id}"

    @property
    def is_ready(self):
        return self.status == PayoutAccountStatus.READY


class IntentKind(models.TextChoices):
    ACCOUNT = "account", "Connected account"
    CHECKOUT = "checkout", "Checkout (charge)"
    TRANSFER = "transfer", "Transfer"
    REFUND = "refund", "Refund"
    REVERSAL = "reversal", "Transfer reversal"
    DISPUTE = "dispute", "Card chargeback"  # not asked by us: opened by the payer's bank
    CUSTOMER = "customer", "Customer"
    CHARGE = "charge", "Off-session charge"


class IntentStatus(models.TextChoices):
    STARTED = "started", "Started"  # written, the call not known to have answered
    PENDING = "pending", "Payment pending"  # a checkout waiting for the owner
    PROCESSING = "processing", "Processing"  # a slow bank debit (SEPA, ACH) under way
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELED = "canceled", "Abandoned"


# Forward only: a late or duplicate event never moves an intent back.
INTENT_RANK = {IntentStatus.STARTED: 0, IntentStatus.PENDING: 1, IntentStatus.PROCESSING: 2,
               IntentStatus.SUCCEEDED: 3, IntentStatus.FAILED: 3, IntentStatus.CANCELED: 3}
INTENT_OPEN = (IntentStatus.STARTED, IntentStatus.PENDING, IntentStatus.PROCESSING)


class ProviderIntent(models.Model):
    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.PROTECT, related_name="provider_intents")
    engagement = models.ForeignKey("engagements.Engagement", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="provider_intents")
    milestone = models.ForeignKey("engagements.Milestone", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="provider_intents")
    freelancer = models.ForeignKey("freelancers.Freelancer", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="provider_intents")
    kind = models.CharField(max_length=16, choices=IntentKind.choices)
    idempotency_key = models.CharField(max_length=255, unique=True)
    # The app's own key this call serves (the idempotency key above is `{ledger_key}:{step}`).
    ledger_key = models.CharField(max_length=255, db_index=True)
    status = models.CharField(max_length=16, choices=IntentStatus.choices, default=IntentStatus.STARTED)
    provider_id = models.CharField(max_length=255, blank=True, db_index=True)
    payment_intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    charge_id = models.CharField(max_length=255, blank=True)
    amount = models.BigIntegerField()
    fee = models.BigIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3)
    url = models.URLField(max_length=2000, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # The ledger transaction that asked for this move (a release asks for a transfer, a refund for a
    # refund), and the one this move posted when it succeeded (a checkout: the funding).
    source_transaction = models.ForeignKey(Transaction, null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="provider_moves")
    ledger_transaction = models.ForeignKey(Transaction, null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="provider_intents")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # The recovery sweep's query: intents left started by a crash.
            models.Index(fields=["updated_at"], condition=models.Q(status="started"), name="intent_started_idx"),
        ]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gte=0), name="intent_amount_not_negative")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.idempotency_key} ({self.status})"


class ProviderEvent(models.Model):
    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    # The connected account the event happened on (Connect endpoint), blank for the platform's own.
    account = models.CharField(max_length=64, blank=True)
    livemode = models.BooleanField(default=False)
    payload = models.JSONField()
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["received_at"], condition=models.Q(processed_at__isnull=True),
                                name="provider_event_unprocessed_idx")]

    def __str__(self):
        return f"{self.type} {self.event_id}"
