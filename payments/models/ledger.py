"""The ledger: `Account`, `Transaction` and `Entry`.

Every movement of money is one `Transaction` whose `Entry` rows sum to zero per currency; a
balance is always the sum of an account's entries, never a counter that can drift (the sums
per engagement and kind that lists read, `LedgerTotal`, are written with the entries: totals.py). Nothing in the ledger
is ever updated or deleted: a mistake is corrected by a new transaction. On PostgreSQL the
database itself holds both rules (migration 0002: triggers refusing UPDATE/DELETE, and a deferred
constraint trigger refusing an unbalanced transaction at commit); on SQLite the services in
`payments.services.ledger` are the guard.

Accounts per workspace, and what the sign of an entry means (balance = sum of entries):
- owner funding: the owner's money outside the platform; it goes negative as the owner pays in.
- escrow (one per engagement): money held for milestones, never negative.
- payable (one per freelancer): earned and not yet paid out, never negative.
- paid out (one per freelancer): what has left the platform to the freelancer.

Fund: owner funding → escrow. Release: escrow → payable. Refund: escrow → owner funding.
Timesheet approval, bonus and commission: owner funding → payable (paid in arrears, not
escrowed). A retainer period is funded and released like a milestone (fund: owner funding →
escrow; release: escrow → payable), without a milestone. Payout: payable → paid out.
Refund after release (given by the freelancer): payable (what is still owed) and/or paid out
(what already left, and came back) → owner funding. Provider fee (Stripe's fee on a charge, the
platform's cost): platform → provider fees; the owner's funding and the escrow keep the full amount.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import validate_currency


class AccountKind(models.TextChoices):
    OWNER_FUNDING = "owner_funding", "Owner funding"
    ESCROW = "escrow", "Held funds"
    PAYABLE = "payable", "Owed to freelancer"
    PAID_OUT = "paid_out", "Paid out"
    # The platform's own books (one each per workspace): what the payment provider charged, and
    # the platform's money that paid it (Stripe keeps its fee from the owner's payment, which the
    # ledger holds in full, so the platform covers it).
    PROVIDER_FEES = "provider_fees", "Payment provider fees"
    PLATFORM = "platform", "Platform's own money"


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
                    | models.Q(kind__in=[AccountKind.PROVIDER_FEES, AccountKind.PLATFORM], engagement__isnull=True,
                               freelancer__isnull=True)
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
            models.UniqueConstraint(
                fields=["workspace", "kind"],
                condition=models.Q(kind__in=[AccountKind.PROVIDER_FEES, AccountKind.PLATFORM]),
                name="account_one_platform_kind",
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
    COMMISSION = "commission", "Commission released"
    PAYOUT = "payout", "Payout"
    REFUND_RELEASED = "refund_released", "Refunded after release"
    PROVIDER_FEE = "provider_fee", "Payment provider's fee"


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
            # This month's movements of a workspace (the home page's money, the charts).
            models.Index(fields=["workspace", "created_at"], name="ledger_tx_workspace_time"),
            models.Index(fields=["milestone"], name="ledger_tx_milestone"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.get_kind_display()}"

    # Set by the services: True when an idempotent retry returned this (earlier) transaction.
    replayed = False
    # Set by `ledger.post` on the transaction it has just written: its entries, each with its
    # account, so the action's emails and answer do not read back what it wrote.
    posted_entries = None

    def entry_list(self):
        """The entries (with their accounts when just posted or prefetched)."""
        return self.posted_entries if self.posted_entries is not None else self.entries.all()


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
