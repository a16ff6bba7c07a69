"""Money given back after a release (the Upwork way: released money is the freelancer's, so the
freelancer gives a refund, in full or part, optionally after the owner asked for one).

- `RefundRequest`: the owner's ask, from the milestone's page, with a reason (and an amount, or
  none for "in full"); open until a refund answers it.
- `ReleasedRefund`: one refund the freelancer gave, written before anything moves: how much, what
  part comes back from what is still owed (payable) and what part from money already paid out,
  and (off the platform) how the freelancer returned it. Its ledger transaction
  (`refund_released`: payable and/or paid out → owner funding) is posted once; on Stripe only
  after the transfer reversal succeeded (intents `{key}:reversal`, then `{key}:refund`).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .ledger import Transaction


class RefundRequestStatus(models.TextChoices):
    OPEN = "open", "Waiting for the freelancer"
    REFUNDED = "refunded", "Refunded"


class RefundRequest(models.Model):
    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.PROTECT, related_name="refund_requests")
    milestone = models.ForeignKey("engagements.Milestone", on_delete=models.PROTECT, related_name="refund_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField()
    # Minor units asked for; null: everything released that was not refunded yet.
    amount = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=RefundRequestStatus.choices, default=RefundRequestStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__isnull=True) | models.Q(amount__gt=0),
                                   name="refund_request_amount_positive"),
            # One open ask per milestone: asking again while one waits changes nothing.
            models.UniqueConstraint(fields=["milestone"], condition=models.Q(status="open"),
                                    name="refund_request_one_open"),
        ]

    def __str__(self):
        return f"Refund asked on milestone {self.milestone_id} ({self.status})"


class ReleasedRefundStatus(models.TextChoices):
    STARTED = "started", "Under way"  # Stripe: the reversal asked, not yet answered
    REFUNDED = "refunded", "Refunded"
    FAILED = "failed", "Failed"  # Stripe refused the reversal; nothing was posted


class ReleasedRefund(models.Model):
    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.PROTECT, related_name="released_refunds")
    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.PROTECT,
                                   related_name="released_refunds")
    milestone = models.ForeignKey("engagements.Milestone", on_delete=models.PROTECT, related_name="released_refunds")
    freelancer = models.ForeignKey("freelancers.Freelancer", on_delete=models.PROTECT,
                                   related_name="released_refunds")
    request = models.ForeignKey(RefundRequest, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="refunds")
    # The freelancer's idempotency key: the ledger transaction's, and the Stripe intents' prefix.
    ledger_key = models.CharField(max_length=255)
    amount = models.BigIntegerField()
    from_payable = models.BigIntegerField(default=0)
    from_paid_out = models.BigIntegerField(default=0)
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=300, blank=True)
    # Off the platform, how the freelancer returned money already paid out (like a payout).
    method = models.CharField(max_length=32, blank=True)
    reference = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=16, choices=ReleasedRefundStatus.choices,
                              default=ReleasedRefundStatus.STARTED)
    error = models.TextField(blank=True)
    transaction = models.OneToOneField(Transaction, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="released_refund")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "ledger_key"], name="released_refund_key"),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0, from_payable__gte=0, from_paid_out__gte=0,
                                   amount=models.F("from_payable") + models.F("from_paid_out")),
                name="released_refund_parts_add_up"),
        ]

    def __str__(self):
        return f"Refund after release {self.amount} {self.currency} on milestone {self.milestone_id}"
