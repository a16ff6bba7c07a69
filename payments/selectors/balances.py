"""An engagement's money as sums of ledger entries: the budget figures (one grouped query per
engagement, or for a whole list), what is owed, what is in escrow. Figures for many engagements
at once (lists, the home page's alerts) read LedgerTotal, the entries summed per engagement and
kind and kept in the same database transaction as the entries (payments.services.totals); one
engagement's figures are summed from its entries."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import BooleanField, Case, F, Sum, Value, When
from django.db.models.lookups import GreaterThan

from engagements.models import MilestoneState

from ..models import AccountKind, CommittedTotal, Entry, LedgerTotal, TransactionKind

ALERT_PERCENT = 80
# Milestone states whose money is still in escrow.
HELD_STATES = (MilestoneState.FUNDED, MilestoneState.SUBMITTED, MilestoneState.CHANGES_REQUESTED,
               MilestoneState.DISPUTED)


def percent_of(committed, budget):
    """Committed spend as a whole percent of the budget (100 when there is none and money moved)."""
    if budget <= 0:
        return 100 if committed else 0
    return int(committed) * 100 // budget


def _sums_by_kind(rows):
    """{figure name: total} from rows of (account kind, transaction kind, sum of amounts).

    One GROUP BY over the engagement's entries gives every figure: funding only ever credits
    escrow, refunds (and the refund part of a resolution) only ever credit owner funding, and
    payable is credited by releases, resolutions, timesheets and bonuses and debited by payouts.
    """
    figures = dict.fromkeys(("funded", "in_escrow", "released", "refunded", "hourly", "bonuses", "commissions",
                             "paid_out", "owed", "given_back"), 0)
    for account_kind, tx_kind, total in rows:
        total = total or 0
        if account_kind == AccountKind.ESCROW:
            figures["in_escrow"] += total
            if tx_kind == TransactionKind.FUND:
                figures["funded"] += total
        elif account_kind == AccountKind.OWNER_FUNDING and tx_kind in (TransactionKind.REFUND, TransactionKind.RESOLVE):
            figures["refunded"] += total
        elif account_kind == AccountKind.OWNER_FUNDING and tx_kind == TransactionKind.REFUND_RELEASED:
            figures["refunded"] += total  # given back after release: no longer spent
            figures["given_back"] += total
        elif account_kind == AccountKind.PAYABLE:
            figures["owed"] += total
            if tx_kind in (TransactionKind.RELEASE, TransactionKind.RESOLVE):
                figures["released"] += total
            elif tx_kind == TransactionKind.TIMESHEET:
                figures["hourly"] += total
            elif tx_kind == TransactionKind.BONUS:
                figures["bonuses"] += total
            elif tx_kind == TransactionKind.COMMISSION:
                figures["commissions"] += total
        elif account_kind == AccountKind.PAID_OUT:
            figures["paid_out"] += total
    return figures


@dataclass
class BudgetFigures:
    """An engagement's money at a glance, all in minor units of `currency`."""

    budget: int
    contingency_percent: int
    currency: str
    funded: int = 0
    in_escrow: int = 0
    released: int = 0
    refunded: int = 0
    hourly: int = 0
    bonuses: int = 0
    commissions: int = 0
    paid_out: int = 0
    owed: int = 0
    # Refunded after release (also in `refunded`): taken off committed spend.
    given_back: int = 0

    @property
    def contingency(self):
        return self.budget * self.contingency_percent // 100

    @property
    def limit(self):
        return self.budget + self.contingency

    @property
    def committed(self):
        """Money promised to the freelancer: held in escrow or already earned."""
        return self.in_escrow + self.released + self.hourly + self.bonuses + self.commissions - self.given_back

    @property
    def remaining(self):
        """What can still be committed, contingency included (negative: over the limit)."""
        return self.limit - self.committed

    @property
    def remaining_budget(self):
        """What is left of the budget before the contingency is touched."""
        return self.budget - self.committed

    @property
    def percent_committed(self):
        return percent_of(self.committed, self.budget)

    @property
    def alert(self):
        """Committed spend has passed 80 % of the budget."""
        return self.committed * 100 > ALERT_PERCENT * self.budget if self.budget else self.committed > 0

    @property
    def into_contingency(self):
        return self.committed > self.budget

    @property
    def bar_percent(self):
        """For the progress bar: committed against budget + contingency, capped at 100."""
        if self.limit <= 0:
            return 100 if self.committed else 0
        return min(100, self.committed * 100 // self.limit)

    @property
    def budget_mark_percent(self):
        return self.budget * 100 // self.limit if self.limit else 100

    def as_dict(self):
        return {
            "currency": self.currency, "budget": self.budget, "contingency_percent": self.contingency_percent,
            "contingency": self.contingency, "funded": self.funded, "in_escrow": self.in_escrow,
            "released": self.released, "refunded": self.refunded, "hourly": self.hourly, "bonuses": self.bonuses,
            "commissions": self.commissions, "paid_out": self.paid_out, "owed": self.owed,
            "committed": self.committed,
            "remaining": self.remaining, "percent_committed": self.percent_committed, "alert": self.alert,
        }


def _figures(engagement, sums):
    return BudgetFigures(budget=engagement.budget, contingency_percent=engagement.contingency_percent,
                         currency=engagement.currency, **sums)


def budget_figures(engagement):
    rows = (
        Entry.objects.filter(transaction__engagement=engagement, currency=engagement.currency)
        .values_list("account__kind", "transaction__kind").annotate(total=Sum("amount")).order_by()
    )
    return _figures(engagement, _sums_by_kind(rows))


def budget_figures_for(engagements):
    """{engagement id: BudgetFigures} with one query over the engagements' ledger totals (the
    entries already summed per engagement, currency and kind: payments.models.LedgerTotal)."""
    engagements = list(engagements)
    grouped = defaultdict(list)
    rows = (LedgerTotal.objects.filter(engagement__in=engagements)
            .values_list("engagement", "currency", "account_kind", "transaction_kind", "amount"))
    for engagement_id, currency, account_kind, tx_kind, total in rows:
        grouped[(engagement_id, currency)].append((account_kind, tx_kind, total))
    return {e.pk: _figures(e, _sums_by_kind(grouped.get((e.pk, e.currency), []))) for e in engagements}


def _percent_and_alert(committed, budget):
    """BudgetFigures.percent_committed and .alert as SQL over a `committed` and a `budget` expression."""
    committed_x100 = committed * 100
    return {
        "percent_committed": Case(When(GreaterThan(budget, 0), then=committed_x100 / budget),
                                  default=Case(When(committed=0, then=Value(0)), default=Value(100))),
        "alert": Case(When(GreaterThan(budget, 0), then=GreaterThan(committed_x100, budget * ALERT_PERCENT)),
                      default=GreaterThan(committed, 0), output_field=BooleanField()),
    }


def committed_by_engagement(engagements, *, fields=()):
    """Rows {engagement, committed, percent_committed, alert} for the engagements (a queryset)
    that have committed money, read from their committed totals in their currency (one row
    each, kept with the ledger: payments.models.CommittedTotal); BudgetFigures' definitions, so
    they can be filtered and ordered in SQL. An engagement with nothing committed has no row
    (0 %, no alert). `fields` adds the engagement's (or its freelancer's) fields to each row."""
    return (
        CommittedTotal.objects.filter(engagement__in=engagements, currency=F("engagement__currency"))
        .values("engagement", "engagement__budget", "engagement__created_at", *fields)
        .annotate(committed=F("amount"))
        .annotate(**_percent_and_alert(F("committed"), F("engagement__budget")))
    )


def workspace_balances(workspace):
    """[(currency, in escrow, payable)], every currency with money held or owed, from the
    balances on the workspace's committed totals (CommittedTotal, one row per engagement and
    currency, read through committed_total_ws): no entry is summed, however long the ledger."""
    rows = balances_by_currency(workspace).order_by("currency").values_list("currency", "held", "owed")
    return [row for row in rows if row[1] or row[2]]


def balances_by_currency(workspace):
    """The workspace's escrow (`held`) and payable (`owed`) balances per currency, as a query."""
    return (CommittedTotal.objects.filter(workspace=workspace).values("currency").order_by()
            .annotate(held=Sum("in_escrow", default=0), owed=Sum("payable", default=0)))


def committed_spend(engagement):
    return budget_figures(engagement).committed


def account_balance(*, kind, currency, engagement=None, freelancer=None, workspace=None):
    qs = Entry.objects.filter(account__kind=kind, currency=currency)
    if engagement is not None:
        qs = qs.filter(account__engagement=engagement)
    if freelancer is not None:
        qs = qs.filter(account__freelancer=freelancer)
    if workspace is not None:
        qs = qs.filter(account__workspace=workspace)
    return qs.aggregate(total=Sum("amount"))["total"] or 0


def owed_on(engagement):
    """What the freelancer has earned on this engagement and not yet been paid."""
    return (
        Entry.objects.filter(transaction__engagement=engagement, account__kind=AccountKind.PAYABLE,
                             currency=engagement.currency).aggregate(total=Sum("amount"))["total"] or 0
    )


def escrow_by_milestone(engagement):
    """{milestone id: amount held in escrow for it}."""
    return dict(
        Entry.objects.filter(transaction__engagement=engagement, account__kind=AccountKind.ESCROW,
                             transaction__milestone__isnull=False)
        .values("transaction__milestone").annotate(total=Sum("amount"))
        .values_list("transaction__milestone", "total")
    )


def escrowed_for(milestone):
    """What the ledger holds in escrow for this milestone now (sum of its escrow entries)."""
    return (
        Entry.objects.filter(transaction__milestone=milestone, account__kind=AccountKind.ESCROW,
                             currency=milestone.engagement.currency)
        .aggregate(total=Sum("amount"))["total"] or 0
    )


def escrowed_for_milestones(milestone_ids):
    """{milestone id: amount held in escrow for it} for a batch of milestones, one query."""
    return dict(
        Entry.objects.filter(transaction__milestone_id__in=milestone_ids, account__kind=AccountKind.ESCROW)
        .values("transaction__milestone_id").annotate(total=Sum("amount"))
        .values_list("transaction__milestone_id", "total")
    )
