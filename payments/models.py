"""Money: an append-only double-entry ledger, and the records that hang from it.

The ledger is `Account`, `Transaction` and `Entry`. Every movement of money is one
`Transaction` whose `Entry` rows sum to zero per currency; a balance is always the sum of an
account's entries, never a stored counter. Nothing in the ledger is ever updated or deleted: a
mistake is corrected by a new transaction. On PostgreSQL the database itself holds both rules
(migration 0002: triggers refusing UPDATE/DELETE, and a deferred constraint trigger refusing an
unbalanced transaction at commit); on SQLite the services in `payments.ledger` are the guard.

Accounts per workspace, and what the sign of an entry means (balance = sum of entries):
- owner funding: the owner's money outside the platform; it goes negative as the owner pays in.
- escrow (one per engagement): money held for milestones, never negative.
- payable (one per freelancer): earned and not yet paid out, never negative.
- paid out (one per freelancer): what has left the platform to the freelancer.

Fund: owner funding → escrow. Release: escrow → payable. Refund: escrow → owner funding.
Timesheet approval and bonus: owner funding → payable (hourly work is paid in arrears, not
escrowed). Payout: payable → paid out.

The rest (disputes, review clocks, budget changes, timesheets, payouts) are ordinary rows that
point at the ledger transactions they caused.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from accounts.models import validate_currency

DEFAULT_REVIEW_WINDOW_DAYS = 14
MIN_REVIEW_WINDOW_DAYS = 1
MAX_REVIEW_WINDOW_DAYS = 30


class PaymentSettings(models.Model):
    """A workspace's payment rules (kept here: accounts sits below payments)."""

    workspace = models.OneToOneField(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="payment_settings"
    )
    # Submitted work not reviewed within this many days is released automatically; approval of
    # submitted timesheets follows the same window.
    review_window_days = models.PositiveSmallIntegerField(
        default=DEFAULT_REVIEW_WINDOW_DAYS,
        validators=[MinValueValidator(MIN_REVIEW_WINDOW_DAYS), MaxValueValidator(MAX_REVIEW_WINDOW_DAYS)],
        help_text="Days you have to review submitted work before it is released automatically (1–30).",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "payment settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(review_window_days__gte=MIN_REVIEW_WINDOW_DAYS)
                & models.Q(review_window_days__lte=MAX_REVIEW_WINDOW_DAYS),
                name="payment_settings_window_range",
            ),
        ]

    def __str__(self):
        return f"Payment settings for {self.workspace}"


# --- The ledger -------------------------------------------------------------------------------
class AccountKind(models.TextChoices):
    OWNER_FUNDING = "owner_funding", "Owner funding"
    ESCROW = "escrow", "Escrow"
    PAYABLE = "payable", "Owed to freelancer"
    PAID_OUT = "paid_out", "Paid out"


class Account(models.Model):
    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.PROTECT, related_name="ledger_accounts")
    kind = models.CharField(max_length=16, choices=AccountKind.choices)
    engagement = models.ForeignKey(
        "engagements.Engagement", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_accounts"
    )
    freelancer = models.ForeignKey(
        "freelancers.Freelancer", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_accounts"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["workspace", "kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind=AccountKind.OWNER_FUNDING, engagement__isnull=True, freelancer__isnull=True)
                    | models.Q(kind=AccountKind.ESCROW, engagement__isnull=False, freelancer__isnull=True)
                    | models.Q(kind__in=[AccountKind.PAYABLE, AccountKind.PAID_OUT], engagement__isnull=True,
                               freelancer__isnull=False)
                ),
                name="account_kind_matches_owner",
            ),
            models.UniqueConstraint(
                fields=["workspace"], condition=models.Q(kind=AccountKind.OWNER_FUNDING),
                name="account_one_owner_funding",
            ),
            models.UniqueConstraint(
                fields=["engagement"], condition=models.Q(kind=AccountKind.ESCROW), name="account_one_escrow",
            ),
            models.UniqueConstraint(
                fields=["freelancer", "kind"],
                condition=models.Q(kind__in=[AccountKind.PAYABLE, AccountKind.PAID_OUT]),
                name="account_one_per_freelancer_kind",
            ),
        ]

    def __str__(self):
        owner = self.engagement or self.freelancer or self.workspace
        return f"{self.get_kind_display()} · {owner}"


class TransactionKind(models.TextChoices):
    FUND = "fund", "Milestone funded"
    RELEASE = "release", "Milestone released"
    REFUND = "refund", "Milestone refunded"
    DISPUTE = "dispute", "Dispute opened"
    RESOLVE = "resolve", "Dispute resolved"
    TIMESHEET = "timesheet", "Timesheet approved"
    BONUS = "bonus", "Bonus"
    PAYOUT = "payout", "Payout"


class Transaction(models.Model):
    """One movement of money (or, for a dispute, a recorded freeze that moves none).

    `idempotency_key` is unique per workspace and kept for ever (the ledger is append-only),
    so a retried action with the same key finds this row; `request_fingerprint` is the hash of
    the action and its parameters, to refuse the same key sent with different ones.
    """

    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.PROTECT, related_name="ledger_transactions"
    )
    kind = models.CharField(max_length=16, choices=TransactionKind.choices)
    engagement = models.ForeignKey(
        "engagements.Engagement", null=True, blank=True, on_delete=models.PROTECT,
        related_name="ledger_transactions",
    )
    milestone = models.ForeignKey(
        "engagements.Milestone", null=True, blank=True, on_delete=models.PROTECT,
        related_name="ledger_transactions",
    )
    idempotency_key = models.CharField(max_length=255)
    request_fingerprint = models.CharField(max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Done by the system (auto-release, auto-approval), not by a person.
    automatic = models.BooleanField(default=False)
    memo = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "idempotency_key"], name="ledger_idempotency_key"),
        ]
        indexes = [
            models.Index(fields=["engagement", "created_at"], name="ledger_tx_engagement"),
            models.Index(fields=["milestone"], name="ledger_tx_milestone"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.get_kind_display()}"

    # Set by the services: True when an idempotent retry returned this (earlier) transaction.
    replayed = False


class Entry(models.Model):
    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    # Signed, in minor units of `currency`.
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3, validators=[validate_currency])

    class Meta:
        ordering = ["transaction", "id"]
        verbose_name_plural = "entries"
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="entry_amount_nonzero"),
        ]
        indexes = [models.Index(fields=["account", "currency"], name="entry_account_currency")]

    def __str__(self):
        return f"{self.account}: {self.amount} {self.currency}"


# --- Milestone escrow records -----------------------------------------------------------------
class DisputeSide(models.TextChoices):
    OWNER = "owner", "Owner side"
    FREELANCER = "freelancer", "Freelancer"


class DisputeOutcome(models.TextChoices):
    RELEASED = "released", "Released to the freelancer"
    REFUNDED = "refunded", "Refunded to the owner"
    SPLIT = "split", "Split"


class Dispute(models.Model):
    """A milestone's escrow frozen while the two sides disagree, and how it ended."""

    milestone = models.ForeignKey("engagements.Milestone", on_delete=models.PROTECT, related_name="disputes")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    side = models.CharField(max_length=16, choices=DisputeSide.choices)
    reason = models.TextField()
    # The state the milestone was in when the dispute was opened.
    from_state = models.CharField(max_length=20)
    escrowed = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    opened_at = models.DateTimeField(default=timezone.now)
    opened_transaction = models.OneToOneField(Transaction, on_delete=models.PROTECT, related_name="dispute_opened")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=16, choices=DisputeOutcome.choices, blank=True)
    release_amount = models.BigIntegerField(null=True, blank=True)
    refund_amount = models.BigIntegerField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)
    resolution_transaction = models.OneToOneField(
        Transaction, null=True, blank=True, on_delete=models.PROTECT, related_name="dispute_resolved"
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone"], condition=models.Q(resolved_at__isnull=True), name="dispute_one_open",
            ),
        ]

    def __str__(self):
        return f"Dispute on {self.milestone}"

    @property
    def is_open(self):
        return self.resolved_at is None


class ReviewClock(models.Model):
    """The review deadline of one submission of a milestone.

    One source of truth for "when is this submission auto-released": a submission is identified
    by the milestone's `state_changed_at` when it became `submitted` (every transition sets it),
    its deadline is that time + the workspace's review window (+ the one extension allowed per
    submission). `Milestone.review_deadline_at` is this deadline copied onto the milestone row
    for its index, the API and the reminders; payments is its only writer (engagements sits below
    payments and cannot compute it). A re-submission after changes gets a new clock, so a stale
    deadline of an earlier round can never release the new one.
    """

    milestone = models.ForeignKey("engagements.Milestone", on_delete=models.CASCADE, related_name="review_clocks")
    submitted_at = models.DateTimeField()
    window_days = models.PositiveSmallIntegerField()
    deadline_at = models.DateTimeField()
    extended_days = models.PositiveSmallIntegerField(default=0)
    extended_at = models.DateTimeField(null=True, blank=True)
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    extension_reason = models.CharField(max_length=300, blank=True)
    # Warnings to the owner before the automatic release (payments/reminders.py): the steps
    # sent (1 = three days before, 2 = one day before) for the deadline in `warned_for`; an
    # extension moves the deadline, so the warnings start over for the new one.
    warning_step = models.PositiveSmallIntegerField(default=0, editable=False)
    warned_for = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["milestone", "-submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["milestone", "submitted_at"], name="review_clock_per_submission"),
        ]

    def __str__(self):
        return f"Review of {self.milestone} due {self.deadline_at:%Y-%m-%d %H:%M}"


class BudgetChange(models.Model):
    """The owner raised (or changed) an engagement's budget; kept as a record."""

    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE, related_name="budget_changes")
    old_budget = models.PositiveBigIntegerField()
    new_budget = models.PositiveBigIntegerField()
    old_contingency_percent = models.PositiveSmallIntegerField()
    new_contingency_percent = models.PositiveSmallIntegerField()
    currency = models.CharField(max_length=3)
    reason = models.TextField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.engagement}: budget {self.old_budget} → {self.new_budget}"


# --- Hourly work ------------------------------------------------------------------------------
class TimesheetState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Waiting for approval"
    APPROVED = "approved", "Approved"
    DISPUTED = "disputed", "Disputed"


TIMESHEET_TRANSITIONS = {
    TimesheetState.DRAFT: {TimesheetState.SUBMITTED},
    TimesheetState.SUBMITTED: {TimesheetState.APPROVED, TimesheetState.DISPUTED},
    # A disputed week is corrected by the freelancer and submitted again, or approved as it is.
    TimesheetState.DISPUTED: {TimesheetState.SUBMITTED, TimesheetState.APPROVED},
    TimesheetState.APPROVED: set(),
}
TIMESHEET_EDITABLE_STATES = frozenset({TimesheetState.DRAFT, TimesheetState.DISPUTED})


class Timesheet(models.Model):
    """One week (Monday to Sunday) of an hourly engagement."""

    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE, related_name="timesheets")
    week_start = models.DateField(help_text="The Monday of the week.")
    state = models.CharField(max_length=16, choices=TimesheetState.choices, default=TimesheetState.DRAFT)
    # Snapshot at submission: the freelancer's hourly rate in minor units of `currency`.
    hourly_rate = models.PositiveBigIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3, validators=[validate_currency])
    submitted_at = models.DateTimeField(null=True, blank=True)
    approval_deadline_at = models.DateTimeField(null=True, blank=True)
    extended_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dispute_reason = models.TextField(blank=True)
    transaction = models.OneToOneField(
        Transaction, null=True, blank=True, on_delete=models.PROTECT, related_name="timesheet"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["engagement", "-week_start"]
        constraints = [
            models.UniqueConstraint(fields=["engagement", "week_start"], name="timesheet_one_per_week"),
        ]
        indexes = [
            models.Index(
                fields=["approval_deadline_at"], name="timesheet_approval_due",
                condition=models.Q(state="submitted"),
            ),
        ]

    def __str__(self):
        return f"{self.engagement} · week of {self.week_start:%Y-%m-%d}"


class TimeEntry(models.Model):
    timesheet = models.ForeignKey(Timesheet, on_delete=models.CASCADE, related_name="entries")
    day = models.DateField()
    minutes = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(24 * 60)])
    description = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["timesheet", "day", "id"]
        verbose_name_plural = "time entries"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minutes__gte=1) & models.Q(minutes__lte=24 * 60), name="time_entry_minutes_range",
            ),
        ]

    def __str__(self):
        return f"{self.day}: {self.minutes} min"


# --- Payouts ----------------------------------------------------------------------------------
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
