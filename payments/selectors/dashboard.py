"""The owner's money at a glance for the home page and `GET /api/v1/money/`: per currency what is
held in escrow, owed to freelancers (payable), released this month and paid out this month; per
running engagement its budget bar (released / in escrow / remaining / contingency). Every figure
is a sum of ledger entries, read from the totals kept with them in the same transaction
(LedgerTotal, CommittedTotal, MonthTotal: one grouped query for the totals, two for the
engagements), so it equals what the ledger says and the query count does not grow with the rows."""

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.db.models import BigIntegerField, Count, Q, Subquery, Sum, Value

from engagements.models import RUNNING_STATUSES, Engagement

from ..models import MonthTotal
from ..providers import payments_provider
from .balances import balances_by_currency, budget_figures_for, committed_by_engagement


def month_start(zone_name, now):
    """The first moment of the current month in the time zone `zone_name` (a workspace's for the
    owner's figures, a freelancer's for theirs): in every zone the start of a `MonthTotal` slot."""
    local = now.astimezone(ZoneInfo(zone_name or "UTC"))
    return datetime.combine(local.date().replace(day=1), time.min, tzinfo=local.tzinfo)


@dataclass
class EngagementMoney:
    """One budget bar. `released` is everything that left escrow for the freelancer (releases,
    approved hours, bonuses); `remaining` what is left of the budget; `contingency` the part of
    the contingency not yet used. Percentages are of the bar's scale (budget + contingency, or
    what was committed when that is more)."""

    engagement: Engagement
    currency: str
    budget: int
    contingency: int
    released: int
    in_escrow: int
    alert: bool
    percent_committed: int

    @property
    def committed(self):
        return self.released + self.in_escrow

    @property
    def remaining(self):
        return max(0, self.budget - self.committed)

    @property
    def contingency_left(self):
        return max(0, self.budget + self.contingency - max(self.committed, self.budget))

    @property
    def segments(self):
        """Left to right, for the bar and its legend: {label, amount, x, width, css}, x and width
        in percent of the bar's scale."""
        scale = max(self.budget + self.contingency, self.committed) or 1
        parts = [("Released", self.released, "released"), ("Held", self.in_escrow, "escrow"),
                 ("Remaining", self.remaining, "remaining"), ("Contingency left", self.contingency_left, "contingency")]
        segments, x = [], 0.0
        for label, amount, css in parts:
            width = amount * 100 / scale
            segments.append({"label": label, "amount": amount, "x": round(x, 2), "width": round(width, 2),
                             "css": css})
            x += width
        return segments

    def as_dict(self):
        e = self.engagement
        return {"id": e.pk, "title": e.title, "currency": self.currency, "budget": self.budget,
                "contingency": self.contingency, "released": self.released, "in_escrow": self.in_escrow,
                "remaining": self.remaining, "alert": self.alert}


def currency_totals(workspace, *, now):
    """[{currency, in_escrow, payable, released_this_month, paid_out_this_month}]: the balances
    from the committed totals (CommittedTotal: a row per engagement, read through
    committed_total_ws), this month's movements from the month totals (MonthTotal: the rows whose
    slot starts in the workspace's local month, read through month_total_ws), the two read in one
    query (UNION ALL)."""
    since = month_start(workspace.timezone, now)
    figures = ("in_escrow", "payable", "released_this_month", "paid_out_this_month")
    zero = Value(0, output_field=BigIntegerField())
    balances = balances_by_currency(workspace).annotate(released_this_month=zero, paid_out_this_month=zero)
    this_month = (MonthTotal.objects.filter(workspace=workspace, slot__gte=since)
                  .values("currency").order_by()
                  .annotate(held=zero, owed=zero, released_this_month=Sum("released", default=0),
                            paid_out_this_month=Sum("paid_out", default=0)))
    rows = {}
    for row in balances.union(this_month, all=True).order_by():
        total = rows.setdefault(row["currency"], {"currency": row["currency"], **dict.fromkeys(figures, 0)})
        row["in_escrow"], row["payable"] = row.pop("held"), row.pop("owed")
        for name in figures:
            total[name] += row[name]
    return [rows[c] for c in sorted(rows) if any(rows[c][f] for f in figures)]


def _running(workspace):
    return Engagement.objects.filter(workspace=workspace, status__in=RUNNING_STATUSES).select_related("freelancer")


def engagement_money(workspace):
    """A budget bar for every running engagement, newest first (two queries)."""
    return money_rows(_running(workspace).order_by("-created_at", "-id"))


def budgets_nearest_limit(workspace, *, limit):
    return budgets_nearest_limit_page(workspace, limit=limit)[0]


def budgets_nearest_limit_page(workspace, *, limit):
    """(the `limit` budget bars nearest their limit, how many running engagements there are)."""
    nearest, running, _ = home_budgets(workspace, limit=limit, newest=0)
    return nearest, running


def newest_budgets(workspace, *, limit):
    return home_budgets(workspace, limit=0, newest=limit)[2]


def home_budgets(workspace, *, limit, newest):
    """(the `limit` budget bars nearest their limit — alerts first, then the highest percent
    committed, newest first among equals — chosen in SQL from the ledger totals; how many running
    engagements there are; the bars of the `newest` running engagements, newest first): three
    queries for both lists, the figures read once for the rows of either."""
    nearest = list(committed_by_engagement(_running(workspace)).order_by(
        "-percent_committed", "-alert", "-engagement__created_at", "-engagement")
        .values_list("engagement", flat=True)[:limit]) if limit else []
    # Alert is monotone in the percent (at 80 % it may go either way, and breaks that tie);
    # engagements with nothing committed (0 %) come last, newest first: the newest `limit` running
    # engagements hold enough of them, read with those chosen in one query.
    newest_ids = _running(workspace).order_by("-created_at", "-id").values("pk")[:max(limit, newest)]
    count = _running(workspace).order_by().values("workspace").annotate(n=Count("*")).values("n")
    rows = list(_running(workspace).filter(Q(pk__in=nearest) | Q(pk__in=Subquery(newest_ids)))
                .annotate(_running=Subquery(count)).order_by("-created_at", "-id"))
    money = {row.engagement.pk: row for row in money_rows(rows)}
    rank = {pk: i for i, pk in enumerate(nearest)}
    chosen = sorted((money[pk] for pk in nearest if pk in money), key=lambda r: rank[r.engagement.pk])
    chosen += [money[e.pk] for e in rows if e.pk not in rank][:limit - len(chosen)]
    return chosen, rows[0]._running if rows else 0, [money[e.pk] for e in rows if e.pk in money][:newest]


def money_rows(engagements):
    """EngagementMoney for each engagement given, in order (one query for their figures)."""
    engagements = list(engagements)
    figures = budget_figures_for(engagements)
    rows = []
    for e in engagements:
        f = figures[e.pk]
        rows.append(EngagementMoney(
            engagement=e, currency=e.currency, budget=f.budget, contingency=f.contingency,
            released=f.released + f.hourly + f.bonuses, in_escrow=f.in_escrow, alert=f.alert,
            percent_committed=f.percent_committed))
    return rows


def owner_money(workspace, *, now, engagements=True):
    """The money at a glance; `engagements=False` leaves the budget bars out (the home page reads
    only the few it shows: budgets_nearest_limit)."""
    return {"currencies": currency_totals(workspace, now=now),
            "engagements": engagement_money(workspace) if engagements else [],
            "held_funds_note": payments_provider().held_funds_note}
