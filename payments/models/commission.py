"""Commission reports: the owner reports the base amount of one month, the commission is
computed from the engagement's percent, and it is paid once agreed — the freelancer accepts, or
lets the dispute window pass (the sweep in payments.reminders.pay_models) — unless disputed.

Rounding (`commission_for`): base × percent / 100 in minor units, half up to the cent (the
percent has two decimals, so the arithmetic is on integers: no floats, no Decimal context).

A correction is a new report for the same month that supersedes the open one (`superseded_by`);
one report per month is live at a time (a partial unique constraint), and none is accepted for
a month whose report was released (settled)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import validate_currency

from .ledger import Transaction


class CommissionStatus(models.TextChoices):
    REPORTED = "reported", "Reported"
    DISPUTED = "disputed", "Disputed"
    RELEASED = "released", "Released"
    SUPERSEDED = "superseded", "Superseded"


COMMISSION_TRANSITIONS = {
    CommissionStatus.REPORTED: {CommissionStatus.RELEASED, CommissionStatus.DISPUTED, CommissionStatus.SUPERSEDED},
    CommissionStatus.DISPUTED: {CommissionStatus.RELEASED, CommissionStatus.SUPERSEDED},
    CommissionStatus.RELEASED: set(),
    CommissionStatus.SUPERSEDED: set(),
}
# Live: the one report of its month that counts (not replaced by a correction).
COMMISSION_LIVE_STATES = frozenset({CommissionStatus.REPORTED, CommissionStatus.DISPUTED,
                                    CommissionStatus.RELEASED})


def commission_for(base_amount, percent):
    """base × percent / 100, in minor units, half up (percent a Decimal with two places)."""
    basis_points = int(percent * 100)  # 12.5 % → 1250
    return (base_amount * basis_points * 2 + 10000) // 20000


class CommissionReport(models.Model):
    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.PROTECT,
                                   related_name="commission_reports")
    # The first day of the month reported.
    period = models.DateField()
    base_amount = models.PositiveBigIntegerField()
    percent = models.DecimalField(max_digits=5, decimal_places=2)
    commission_amount = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3, validators=[validate_currency])
    status = models.CharField(max_length=16, choices=CommissionStatus.choices, default=CommissionStatus.REPORTED)
    note = models.TextField(blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reported_at = models.DateTimeField(default=timezone.now)
    # Past this moment without a dispute the sweep releases it.
    dispute_deadline_at = models.DateTimeField()
    disputed_at = models.DateTimeField(null=True, blank=True)
    dispute_reason = models.TextField(blank=True)
    superseded_by = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="supersedes")
    released_at = models.DateTimeField(null=True, blank=True)
    released_transaction = models.OneToOneField(Transaction, null=True, blank=True, on_delete=models.PROTECT,
                                                related_name="commission_report")

    class Meta:
        ordering = ["engagement", "-period", "-reported_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["engagement", "period"], name="commission_one_live_per_period",
                                    condition=models.Q(status__in=["reported", "disputed", "released"])),
            models.CheckConstraint(condition=models.Q(percent__gt=0) & models.Q(percent__lte=100),
                                   name="commission_percent_range"),
        ]
        indexes = [
            models.Index(fields=["dispute_deadline_at"], name="commission_release_due",
                         condition=models.Q(status="reported")),
        ]

    def __str__(self):
        return f"{self.engagement} · commission {self.period:%Y-%m}"
