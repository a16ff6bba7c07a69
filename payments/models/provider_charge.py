"""Money charged to the owner's saved payment method, off session (payments/providers/).

With Stripe on, a bonus, an approved week of hours, a retainer period's funding and a commission
are charged to the payment method the owner saved at a Checkout, without the owner present (an
off-session PaymentIntent), before the ledger says the money is there:

- `PaymentCustomer`: the workspace's Stripe Customer (created once, under an intent key) and the
  payment method its latest Checkout saved for later charges, shown on the payments settings page.
- `ProviderCharge`: one such charge, written in the same database transaction as the action that
  asks for it (approving the week, the bonus, the period's start, the commission's release), under
  the action's own idempotency key: the ledger posts its money only once Stripe says the charge
  succeeded (`ledger_transaction`), never before; a declined charge is kept `failed` with Stripe's
  words, shown as "payment failed" and paid by the owner through a Checkout instead.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .ledger import Transaction


class PaymentCustomer(models.Model):
    workspace = models.OneToOneField("accounts.Workspace", on_delete=models.PROTECT, related_name="payment_customer")
    provider_customer_id = models.CharField(max_length=64, unique=True)
    # The method charged off session: saved by the workspace's latest Checkout (blank: none yet).
    payment_method_id = models.CharField(max_length=64, blank=True)
    payment_method_label = models.CharField(max_length=80, blank=True)
    saved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Customer {self.provider_customer_id} of workspace {self.workspace_id}"


class ChargePurpose(models.TextChoices):
    BONUS = "bonus", "Bonus"
    TIMESHEET = "timesheet", "Approved hours"
    RETAINER = "retainer", "Retainer period"
    COMMISSION = "commission", "Commission"


class ChargeStatus(models.TextChoices):
    PENDING = "pending", "Charging"
    PROCESSING = "processing", "Bank payment processing"
    SUCCEEDED = "succeeded", "Paid"
    FAILED = "failed", "Payment failed"


class ProviderCharge(models.Model):
    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.PROTECT, related_name="provider_charges")
    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.PROTECT, related_name="provider_charges")
    purpose = models.CharField(max_length=16, choices=ChargePurpose.choices)
    timesheet = models.ForeignKey("payments.Timesheet", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="charges")
    retainer_period = models.ForeignKey("payments.RetainerPeriod", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="charges")
    commission_report = models.ForeignKey("payments.CommissionReport", null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="charges")
    # The action's own key and fingerprint: the ledger transaction posted on success carries them,
    # and a retry of the action before that finds this row (ledger.run_idempotent).
    ledger_key = models.CharField(max_length=255)
    request_fingerprint = models.CharField(max_length=64)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    memo = models.TextField(blank=True)
    note = models.TextField(blank=True)
    automatic = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=ChargeStatus.choices, default=ChargeStatus.PENDING)
    error = models.TextField(blank=True)
    # The provider call that paid it: the off-session charge, or the Checkout the owner paid after a decline.
    paid_by = models.ForeignKey("payments.ProviderIntent", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    ledger_transaction = models.OneToOneField(Transaction, null=True, blank=True, on_delete=models.PROTECT,
                                              related_name="provider_charge")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "ledger_key"], name="provider_charge_key"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="provider_charge_amount_positive"),
        ]
        indexes = [models.Index(fields=["updated_at"], condition=models.Q(status__in=["pending", "failed"]),
                                name="provider_charge_open_idx")]

    def __str__(self):
        return f"{self.get_purpose_display()} charge {self.ledger_key} ({self.status})"
