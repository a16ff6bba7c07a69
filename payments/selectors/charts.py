"""The figures behind the home page's charts, summed from the ledger: money released per month
(per currency) and each running engagement's budget burn over time (what was committed to the
freelancer, day by day). One grouped query each."""

from collections import defaultdict
from datetime import date
from zoneinfo import ZoneInfo

from django.db.models import Q, Sum
from django.db.models.functions import TruncDate, TruncMonth

from ..models import AccountKind, Entry, TransactionKind
from .dashboard import RELEASE_KINDS, month_start


def _months_back(first_of_month, n):
    months = [first_of_month]
    for _ in range(n - 1):
        prev = months[-1]
        months.append(date(prev.year - (prev.month == 1), 12 if prev.month == 1 else prev.month - 1, 1))
    return list(reversed(months))


def released_by_month(workspace, *, now, months=6, rows=None):
    """{currency: [(first day of month, released)]} for the last `months` months, oldest first
    (`rows`: released_by_month_rows' result, when the caller read it with other queries)."""
    this_month = month_start(workspace.timezone, now)
    labels = _months_back(this_month.date(), months)
    sums = defaultdict(dict)
    for row in released_by_month_rows(workspace, now=now, months=months) if rows is None else rows:
        sums[row["currency"]][row["month"].date()] = row["total"]
    return {currency: [(m, by_month.get(m, 0)) for m in labels] for currency, by_month in sorted(sums.items())}


def released_by_month_rows(workspace, *, now, months=6):
    """The query behind released_by_month: released per currency and month, grouped in SQL."""
    tz = ZoneInfo(workspace.timezone or "UTC")
    this_month = month_start(workspace.timezone, now)
    first = _months_back(this_month.date(), months)[0]
    since = this_month.replace(year=first.year, month=first.month)
    return (Entry.objects.filter(account__workspace=workspace, account__kind=AccountKind.PAYABLE,
                                 transaction__kind__in=RELEASE_KINDS, transaction__created_at__gte=since)
            .annotate(month=TruncMonth("transaction__created_at", tzinfo=tz))
            .values("currency", "month").annotate(total=Sum("amount")).order_by())


def budget_burn(engagements, *, tz_name="UTC"):
    """{engagement id: [(day, committed so far)]}: escrow and earned money (payouts excluded, they
    only move what was already committed), accumulated day by day."""
    ids = [e.pk for e in engagements]
    if not ids:
        return {}
    rows = (Entry.objects.filter(transaction__engagement_id__in=ids,
                                 account__kind__in=(AccountKind.ESCROW, AccountKind.PAYABLE))
            .filter(~Q(transaction__kind=TransactionKind.PAYOUT))
            .annotate(day=TruncDate("transaction__created_at", tzinfo=ZoneInfo(tz_name)))
            .values("transaction__engagement_id", "day").annotate(total=Sum("amount"))
            .order_by("transaction__engagement_id", "day"))
    series = defaultdict(list)
    for row in rows:
        points = series[row["transaction__engagement_id"]]
        points.append((row["day"], (points[-1][1] if points else 0) + row["total"]))
    # The burn starts from nothing on the day the engagement started (or was created).
    for e in engagements:
        points = series.get(e.pk)
        start = (e.activated_at or e.created_at).astimezone(ZoneInfo(tz_name)).date()
        if points and start < points[0][0]:
            points.insert(0, (start, 0))
    return dict(series)
