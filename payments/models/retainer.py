"""Retainer periods: one month of a retainer engagement, funded at its start and released at its
end unless either side disputes it (payments.services.retainer, the sweep in
payments.reminders.pay_models).

A period's state moves only through `RETAINER_TRANSITIONS`, by a conditional UPDATE on the state
read (services.retainer._move), so of two sweeps (or a sweep and a person) one moves it and the
other writes nothing. The money is in the ledger: `funded_transaction` put the amount into the
engagement's escrow, `closed_transaction` moved it out (released, refunded or split)."""

import calendar
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import validate_currency

from .escrow import DisputeSide
from .ledger import Transaction


class RetainerPeriodState(models.TextChoices):
    # Stripe on: the period's charge is not confirmed yet (or failed and waits for the owner).
    PAYMENT_PENDING = "payment_pending", "Payment pending"
    FUNDED = "funded", "Funded"
    RELEASED = "released", "Released"
    DISPUTED = "disputed", "Disputed"
    REFUNDED = "refunded", "Refunded"
    SPLIT = "split", "Split"


RETAINER_TRANSITIONS = {
    RetainerPeriodState.PAYMENT_PENDING: {RetainerPeriodState.FUNDED},
    RetainerPeriodState.FUNDED: {RetainerPeriodState.RELEASED, RetainerPeriodState.DISPUTED},
    RetainerPeriodState.DISPUTED: {RetainerPeriodState.RELEASED, RetainerPeriodState.REFUNDED,
                                   RetainerPeriodState.SPLIT},
    RetainerPeriodState.RELEASED: set(),
    RetainerPeriodState.REFUNDED: set(),
    RetainerPeriodState.SPLIT: set(),
}
RETAINER_FINAL_STATES = frozenset({RetainerPeriodState.RELEASED, RetainerPeriodState.REFUNDED,
                                   RetainerPeriodState.SPLIT})


class RetainerPeriod(models.Model):
    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.PROTECT,
                                   related_name="retainer_periods")
    starts_on = models.DateField()
    ends_on = models.DateField()
    # Snapshots of the engagement's terms when the period was funded (minor units of `currency`).
    amount = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3, validators=[validate_currency])
    hours_included = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=16, choices=RetainerPeriodState.choices, default=RetainerPeriodState.FUNDED)
    funded_at = models.DateTimeField(default=timezone.now)
    # Empty only while the period's charge is pending (Stripe on): the ledger has not funded it.
    funded_transaction = models.OneToOneField(Transaction, null=True, blank=True, on_delete=models.PROTECT,
                                              related_name="retainer_funded")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_transaction = models.OneToOneField(Transaction, null=True, blank=True, on_delete=models.PROTECT,
                                              related_name="retainer_closed")
    disputed_at = models.DateTimeField(null=True, blank=True)
    disputed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    dispute_side = models.CharField(max_length=16, choices=DisputeSide.choices, blank=True)
    dispute_reason = models.TextField(blank=True)
    release_amount = models.BigIntegerField(null=True, blank=True)
    refund_amount = models.BigIntegerField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)
    # When the hours used passed the hours included (the owner was told once, then).
    hours_over_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["engagement", "-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["engagement", "starts_on"], name="retainer_period_one_per_start"),
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                   name="retainer_period_ends_after_start"),
        ]
        indexes = [
            # The sweep: funded periods whose end has passed (release) or whose hours may be over.
            models.Index(fields=["ends_on"], name="retainer_period_release_due",
                         condition=models.Q(state="funded")),
        ]

    def __str__(self):
        return f"{self.engagement} · {self.starts_on:%Y-%m-%d} – {self.ends_on:%Y-%m-%d}"

    @property
    def is_final(self):
        return self.state in RETAINER_FINAL_STATES


def add_months(day, months):
    """`day` moved by whole months, the day of the month kept where it exists (31 Jan + 1 month
    is 28 or 29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return day.replace(year=year, month=month + 1, day=min(day.day, last))


def retainer_period_dates(anchor, day):
    """(starts_on, ends_on) of the monthly period containing `day`, periods counted from `anchor`
    (the engagement's start): each starts on the anchor's day of the month and ends the day
    before the next one starts. None before the anchor."""
    if day < anchor:
        return None
    months = (day.year - anchor.year) * 12 + day.month - anchor.month
    start = add_months(anchor, months)
    if start > day:
        months -= 1
        start = add_months(anchor, months)
    return start, add_months(anchor, months + 1) - timedelta(days=1)
