"""`LedgerTotal`: the sum of an engagement's ledger entries per currency, account kind and
transaction kind — the grouping every money figure of an engagement or a workspace is read from
(BudgetFigures, the budget alerts, escrow and payable per currency).

It is derived, never edited: `payments.services.ledger.post()` adds each transaction's lines to
it in the same database transaction as the entries themselves (one INSERT … ON CONFLICT DO
UPDATE), so it commits or rolls back with them and cannot drift; `ledger_totals_rebuild()`
recomputes it from the entries (the migration that introduced it, and bulk-loaded data). With
it the home page's figures read a row per engagement and kind instead of summing the whole
ledger on every request."""

from django.db import models

from .ledger import AccountKind, TransactionKind


class LedgerTotal(models.Model):
    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+")
    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE, related_name="ledger_totals")
    currency = models.CharField(max_length=3)
    account_kind = models.CharField(max_length=16, choices=AccountKind.choices)
    transaction_kind = models.CharField(max_length=16, choices=TransactionKind.choices)
    # Signed, in minor units of `currency`: the sum of the entries it stands for.
    amount = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["engagement", "currency", "account_kind", "transaction_kind"]
        constraints = [
            models.UniqueConstraint(fields=["engagement", "currency", "account_kind", "transaction_kind"],
                                    name="ledger_total_one_row"),
        ]

    def __str__(self):
        kinds = f"{self.account_kind}/{self.transaction_kind}"
        return f"engagement {self.engagement_id} {kinds}: {self.amount} {self.currency}"
