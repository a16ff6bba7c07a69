"""The figures behind the home page's charts: money released per month (per currency, from the
month totals kept with the ledger) and each running engagement's budget burn over time (what was
committed to the freelancer, day by day, summed from the ledger). One grouped query each."""

from collections import defaultdict
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.db.models import Case, DateField, Q, Sum, Value, When
from django.db.models.functions import TruncDate

from ..models import AccountKind, Entry, MonthTotal, TransactionKind
from .dashboard import month_start


def _months_back(first_of_month, n):
    months = [first_of_month]
    for _ in range(n - 1):
        prev = months[-1]
        months.append(date(prev.year - (prev.month == 1), 12 if prev.month == 1 else prev.month - 1, 1))
    return list(reversed(months))


def released_by_month(workspace, *, now, months=6, rows=None):
    """{currency: [(first day of month, released)]} for the last `months` months, oldest first
    (`rows`: released_by_month_rows' result, when the caller read it with other queries)."""
    labels = _months_back(month_start(workspace.timezone, now).date(), months)
    sums = defaultdict(dict)
    for row in released_by_month_rows(workspace, now=now, months=months) if rows is None else rows:
        sums[row["currency"]][row["month"]] = row["total"]
    return {currency: [(m, by_month.get(m, 0)) for m in labels] for currency, by_month in sorted(sums.items())}


def released_by_month_rows(workspace, *, now, months=6):
    """The query behind released_by_month: released per currency and local month, summed in SQL
    from the month totals (MonthTotal) whose slot starts in each of the workspace's local months
    (every local month starts on a slot's start: models.totals.month_slot)."""
    tz = ZoneInfo(workspace.timezone or "UTC")
    labels = _months_back(month_start(workspace.timezone, now).date(), months)
    starts = [datetime.combine(m, time.min, tzinfo=tz) for m in labels]
    month_ends = zip(labels[:-1], starts[1:], strict=True)
    month = Case(*[When(slot__lt=end, then=Value(label)) for label, end in month_ends],
                 default=Value(labels[-1]), output_field=DateField())
    return (MonthTotal.objects.filter(workspace=workspace, slot__gte=starts[0]).exclude(released=0)
            .annotate(month=month).values("currency", "month").annotate(total=Sum("released")).order_by())


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
