"""Payouts: money sent to a freelancer, recorded with the ledger transaction it caused."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import validate_currency

from .ledger import Transaction


class Payout(models.Model):
    """Money sent to a freelancer for an engagement, through the configured gateway. For the
    default gateway the transfer happened outside the platform and this records it; no card or
    account numbers are ever stored, only the method and the transfer's reference."""

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.PROTECT, related_name="payouts")
    freelancer = models.ForeignKey("freelancers.Freelancer", on_delete=models.PROTECT, related_name="payouts")
    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.PROTECT, related_name="payouts")
    amount = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3, validators=[validate_currency])
    method = models.CharField(max_length=32)
    reference = models.CharField(max_length=120)
    paid_on = models.DateField()
    gateway = models.CharField(max_length=200)
    note = models.CharField(max_length=300, blank=True)
    transaction = models.OneToOneField(Transaction, on_delete=models.PROTECT, related_name="payout")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payout_amount_positive"),
        ]

    def __str__(self):
        return f"Payout {self.amount} {self.currency} to {self.freelancer}"
