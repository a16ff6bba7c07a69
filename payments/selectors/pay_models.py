"""Reads of the retainer and commission pay models, for the pages, the portal, the API and the
sweep: an engagement's retainer periods with the hours used in each, its commission reports.

Hours used in a period are the hours the freelancer logged in it: the hours they gave on their
status updates, plus the minutes of any timesheet entries (a retainer has no timesheets of its
own, they are for hourly pay; entries kept from before a change of pay terms still count), each
by its UTC date within the period's first and last day. One query for any number of periods
(two correlated sums)."""

from decimal import Decimal

from django.db.models import DecimalField, F, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from engagements.models import StatusUpdate

from ..models import CommissionReport, CommissionStatus, RetainerPeriod, RetainerPeriodState, TimeEntry

_TWO_PLACES = Decimal("0.01")


def with_hours_used(periods):
    """`periods` annotated with `update_hours` and `logged_minutes` (read `hours_used(period)`)."""
    updates = (StatusUpdate.objects.filter(engagement=OuterRef("engagement"),
                                           created_at__date__gte=OuterRef("starts_on"),
                                           created_at__date__lte=OuterRef("ends_on"))
               .order_by().values("engagement").annotate(total=Sum("hours")).values("total"))
    minutes = (TimeEntry.objects.filter(timesheet__engagement=OuterRef("engagement"), day__gte=OuterRef("starts_on"),
                                        day__lte=OuterRef("ends_on"))
               .order_by().values("timesheet__engagement").annotate(total=Sum("minutes")).values("total"))
    return periods.annotate(
        update_hours=Coalesce(Subquery(updates, output_field=DecimalField(max_digits=12, decimal_places=2)),
                              Value(Decimal(0)), output_field=DecimalField(max_digits=12, decimal_places=2)),
        logged_minutes=Coalesce(Subquery(minutes, output_field=IntegerField()), Value(0)),
    )


def hours_used(period):
    """The hours used in an annotated period, to the hundredth."""
    total = Decimal(period.update_hours or 0) + Decimal(period.logged_minutes or 0) / 60
    return total.quantize(_TWO_PLACES)


def retainer_periods_for(engagement):
    """The engagement's periods, newest first, each with `.hours_used` and `.hours_over`."""
    periods = list(with_hours_used(RetainerPeriod.objects.filter(engagement=engagement)).order_by("-starts_on"))
    for period in periods:
        period.hours_used = hours_used(period)
        period.hours_over = max(period.hours_used - period.hours_included, Decimal(0))
    return periods


def hours_over_candidates(*, after_pk=0, limit):
    """Funded periods not yet flagged, with their hours used, in pk order from `after_pk` (the
    sweep keeps those over)."""
    unflagged = RetainerPeriod.objects.filter(state=RetainerPeriodState.FUNDED, hours_over_at__isnull=True,
                                              pk__gt=after_pk)
    periods = with_hours_used(unflagged).order_by("pk")[:limit]
    return [(p.pk, hours_used(p), p.hours_included) for p in periods]


def commission_reports_for(engagement, *, include_superseded=True):
    """The engagement's reports, newest month first, the live one of a month before its
    corrections' predecessors."""
    reports = CommissionReport.objects.filter(engagement=engagement)
    if not include_superseded:
        reports = reports.exclude(status=CommissionStatus.SUPERSEDED)
    return list(reports.order_by("-period", F("superseded_by").asc(nulls_first=True), "-reported_at", "-id"))
