"""The pay models' beat sweep: retainer periods funded at their start and released at their end,
the owner told once when a period's hours pass the hours included, and commission reports
released once their dispute window has passed without a dispute.

Each row moves through its one service function (services.retainer, services.commission),
which claims the move in the database — a unique period start, a conditional UPDATE on the
state read — under an idempotency key naming the period or report; so a sweep run twice, or two
at once, funds and releases each once (the loser's claim matches nothing after the winner
commits, and it finds the winner's ledger transaction). Candidates are read a batch at a time
in key order (`notifications.sweeps.drain`), each batch in its own transaction, each row's
money move in a savepoint of its own: a row that keeps failing is logged and passed over.
"""

import logging

from django.db.models import Exists, OuterRef
from django.utils import timezone

from engagements.models import Engagement, EngagementStatus, PayTerms
from notifications.sweeps import BATCH, drain

from ..errors import PaymentError
from ..models import CommissionReport, CommissionStatus, RetainerPeriod, RetainerPeriodState
from ..selectors import hours_over_candidates
from ..services.commission import commission_report_auto_release
from ..services.retainer import retainer_hours_over_flag, retainer_period_fund, retainer_period_release

log = logging.getLogger(__name__)


def _each(pks, one, what):
    done = 0
    for pk in pks:
        try:
            done += bool(one(pk))
        except PaymentError as exc:
            log.info("%s %s skipped: %s", what, pk, exc)
    return done


def retainers_fund_due(*, now, batch=BATCH):
    """Fund the running period of every active retainer engagement that has none yet."""
    today = now.date()
    cursor = 0

    def fund_batch(now, batch):
        nonlocal cursor
        running = RetainerPeriod.objects.filter(engagement=OuterRef("pk"), starts_on__lte=today, ends_on__gte=today)
        due = list(Engagement.objects.filter(status=EngagementStatus.ACTIVE, pay_terms=PayTerms.RETAINER, pk__gt=cursor)
                   .exclude(Exists(running)).select_related("workspace", "freelancer").order_by("pk")[:batch])
        if due:
            cursor = due[-1].pk
        by_pk = {e.pk: e for e in due}
        funded = _each(by_pk, lambda pk: not retainer_period_fund(engagement=by_pk[pk], today=today).replayed,
                       "Retainer funding of engagement")
        return len(due), {"funded": funded}

    return drain(fund_batch, now=now, batch=batch).get("funded", 0)


def retainers_release_due(*, now, batch=BATCH):
    cursor = 0

    def release_batch(now, batch):
        nonlocal cursor
        due = list(RetainerPeriod.objects.filter(state=RetainerPeriodState.FUNDED, ends_on__lt=now.date(),
                                                 pk__gt=cursor).order_by("pk").values_list("pk", flat=True)[:batch])
        if due:
            cursor = due[-1]
        released = _each(due, lambda pk: retainer_period_release(period_id=pk, now=now), "Retainer release of period")
        return len(due), {"released": released}

    return drain(release_batch, now=now, batch=batch).get("released", 0)


def retainers_flag_hours_over(*, now, batch=BATCH):
    cursor = 0

    def flag_batch(now, batch):
        nonlocal cursor
        rows = hours_over_candidates(after_pk=cursor, limit=batch)
        if rows:
            cursor = rows[-1][0]
        flagged = sum(retainer_hours_over_flag(period_id=pk, hours_used=used, now=now)
                      for pk, used, included in rows if used > included)
        return len(rows), {"flagged": flagged}

    return drain(flag_batch, now=now, batch=batch).get("flagged", 0)


def commissions_release_due(*, now, batch=BATCH):
    cursor = 0

    def release_batch(now, batch):
        nonlocal cursor
        due = list(CommissionReport.objects.filter(status=CommissionStatus.REPORTED, dispute_deadline_at__lte=now,
                                                   pk__gt=cursor).order_by("pk").values_list("pk", flat=True)[:batch])
        if due:
            cursor = due[-1]
        released = _each(due, lambda pk: commission_report_auto_release(report_id=pk, now=now),
                         "Commission release of report")
        return len(due), {"released": released}

    return drain(release_batch, now=now, batch=batch).get("released", 0)


def pay_models_sweep(*, now=None):
    """Beat, every minute: fund, release and flag retainer periods; release undisputed commission
    reports. Safe to run twice or concurrently."""
    now = now or timezone.now()
    return {
        "retainers_released": retainers_release_due(now=now),
        "retainers_funded": retainers_fund_due(now=now),
        "retainers_hours_over": retainers_flag_hours_over(now=now),
        "commissions_released": commissions_release_due(now=now),
    }
