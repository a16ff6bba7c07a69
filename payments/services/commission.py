"""Commission pay: the owner reports the base amount of a month; the commission (the
engagement's percent of it, half up to the cent: models.commission_for) is owed to the
freelancer once agreed — they accept it, or the dispute window (the workspace's review window)
passes without a dispute and the sweep releases it. A disputed report is corrected by a new
report for the month (which supersedes it) or resolved by the owner (released as reported).

Releasing is one service function (`_release`, called by accept, resolve and the sweep's
`commission_report_auto_release`), one `ledger.run_idempotent` transaction that first claims the
report's status by a conditional UPDATE, then posts owner funding → payable (a `commission`
ledger transaction, paid in arrears like approved hours): so each report is paid once, and a
provider can later be slotted into that one function.
"""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from engagements.models import Engagement, PayTerms

from .. import emails, timeline, webhooks
from ..errors import InvalidInput, StateConflict
from ..models import (
    COMMISSION_TRANSITIONS,
    ChargePurpose,
    CommissionReport,
    CommissionStatus,
    TransactionKind,
    commission_for,
)
from ..providers import stripe_enabled
from ..roles import require_freelancer, require_owner
from ..selectors import review_window
from ._amounts import positive
from .ledger import owner_funding_account, payable_account, post, run_idempotent
from .provider_charges import charge_open, charge_poster

C = CommissionStatus


def _move(report_id, to_state, from_states, when=None, **fields):
    allowed = {s for s in from_states if to_state in COMMISSION_TRANSITIONS[s]}
    moved = (CommissionReport.objects.filter(when or Q(), pk=report_id, status__in=allowed)
             .update(status=to_state, **fields))
    if moved != 1:
        current = CommissionReport.objects.filter(pk=report_id).values_list("status", flat=True).first()
        label = C(current).label.lower() if current else "gone"
        raise StateConflict(f"This commission report is {label}; it cannot become {C(to_state).label.lower()}.")
    return CommissionReport.objects.select_related("engagement__workspace", "engagement__freelancer").get(
        pk=report_id)


def month_of(day):
    return day.replace(day=1)


# --- Report -----------------------------------------------------------------------------------
def commission_report_create(*, engagement, actor, period, base_amount, note="", currency=None):
    """The owner reports a month's base amount; the commission is computed now (the percent is
    kept on the report). A month already settled (its report released) is refused; an open report
    of the month (reported or disputed) is superseded by this one, which starts a new window."""
    require_owner(engagement.workspace, actor)
    if not isinstance(period, date):
        raise InvalidInput("Give the month reported (any day of it).", field="period")
    base = positive(base_amount, "base_amount")
    note = (note or "").strip()
    with transaction.atomic():
        eng = Engagement.objects.select_for_update().select_related("workspace", "freelancer").get(pk=engagement.pk)
        if eng.pay_terms != PayTerms.COMMISSION or not eng.commission_percent:
            raise StateConflict("This engagement is not paid by commission.")
        if currency is not None and currency != eng.currency:
            raise InvalidInput(f"This engagement is paid in {eng.currency}, not {currency}.", field="currency")
        if eng.is_ended:
            raise StateConflict(f"The engagement is {eng.get_status_display().lower()}; nothing more can be reported.")
        month = month_of(period)
        if month > month_of(timezone.localdate()):
            raise InvalidInput("That month has not started yet.", field="period")
        live = CommissionReport.objects.filter(engagement=eng, period=month, status__in=[C.REPORTED, C.DISPUTED,
                                                                                          C.RELEASED]).first()
        if live is not None and live.status == C.RELEASED:
            raise StateConflict(f"The commission for {month:%B %Y} is already settled; it cannot be reported again.",
                                field="period")
        if live is not None:
            _move(live.pk, C.SUPERSEDED, [C.REPORTED, C.DISPUTED])
        now = timezone.now()
        report = CommissionReport.objects.create(
            engagement=eng, period=month, base_amount=base, percent=eng.commission_percent,
            commission_amount=commission_for(base, eng.commission_percent), currency=eng.currency, note=note[:5000],
            reported_by=actor, reported_at=now, dispute_deadline_at=now + timedelta(days=review_window(eng.workspace)),
        )
        if live is not None:
            CommissionReport.objects.filter(pk=live.pk).update(superseded_by=report)
        emails.commission_reported(report=report, corrected=live is not None)
        webhooks.commission_report_event("commission_report.created", report,
                                         corrects=live.pk if live is not None else None)
        timeline.record(engagement=eng, kind="commission_reported", actor=actor,
                        summary=f"Commission for {month:%B %Y}"
                                + (" corrected" if live is not None else " reported")
                                + f": {timeline.money(report.commission_amount, eng)} on "
                                  f"{timeline.money(base, eng)}.")
    return report


# --- Release ----------------------------------------------------------------------------------
def _release(*, report, actor, key, fp, from_states, when=None, automatic=False, how):
    r = _move(report.pk, C.RELEASED, from_states, when=when, released_at=timezone.now())
    if r.commission_amount <= 0:
        raise InvalidInput("This report's commission is zero: there is nothing to pay.")
    memo = f"Commission for {r.period:%B %Y} ({how})"
    if stripe_enabled():  # charged to the owner's saved method first; owed once paid
        return charge_open(engagement=r.engagement, purpose=ChargePurpose.COMMISSION, amount=r.commission_amount,
                           key=key, fp=fp, actor=actor, automatic=automatic, memo=memo, note=how,
                           commission_report=r)
    return _release_post(r, key=key, fp=fp, actor=actor, automatic=automatic, how=how, memo=memo)


def _release_post(r, *, key, fp, actor, automatic, how, memo):
    """The commission becomes owed (at its release, or once its charge succeeded)."""
    eng = r.engagement
    tx = post(
        workspace=eng.workspace, kind=TransactionKind.COMMISSION, currency=r.currency,
        lines=[(owner_funding_account(eng.workspace), -r.commission_amount),
               (payable_account(eng.freelancer), r.commission_amount)],
        idempotency_key=key, fingerprint=fp, engagement=eng, actor=actor, automatic=automatic, memo=memo,
    )
    CommissionReport.objects.filter(pk=r.pk).update(released_transaction=tx)
    emails.commission_released(report=r, transaction=tx, how=how)
    webhooks.commission_report_event("commission_report.released", r, how=how)
    timeline.record(engagement=eng, kind="commission_released", actor=actor,
                    summary=f"Commission for {r.period:%B %Y} released ({how}): "
                            f"{timeline.money(r.commission_amount, eng)}.")
    return tx


@charge_poster(ChargePurpose.COMMISSION)
def _release_charged(charge):
    r = CommissionReport.objects.select_related("engagement__workspace", "engagement__freelancer").get(
        pk=charge.commission_report_id)
    return _release_post(r, key=charge.ledger_key, fp=charge.request_fingerprint, actor=charge.created_by,
                         automatic=charge.automatic, how=charge.note, memo=charge.memo)


def commission_report_accept(*, report, actor, idempotency_key):
    """The freelancer agrees: reported → released, the commission becomes owed."""
    engagement = report.engagement

    def perform(key, fp):
        require_freelancer(engagement, actor)
        tx = _release(report=report, actor=actor, key=key, fp=fp, from_states=[C.REPORTED],
                      how="accepted by the freelancer")
        webhooks.commission_report_event("commission_report.accepted", CommissionReport.objects.select_related(
            "engagement").get(pk=report.pk))
        return tx

    return run_idempotent(workspace=engagement.workspace, key=idempotency_key, action="commission_report_accept",
                          params={"report": report.pk}, perform=perform, claim_refuses_retry=True)


def commission_report_resolve(*, report, actor, idempotency_key, note=""):
    """The owner settles a disputed report as reported: disputed → released. (To change the
    figures instead, report the month again: the new report supersedes this one.)"""
    engagement = report.engagement
    note = (note or "").strip()

    def perform(key, fp):
        require_owner(engagement.workspace, actor)
        return _release(report=report, actor=actor, key=key, fp=fp, from_states=[C.DISPUTED],
                        how="dispute resolved by the owner" + (f": {note}" if note else ""))

    return run_idempotent(workspace=engagement.workspace, key=idempotency_key, action="commission_report_resolve",
                          params={"report": report.pk, "note": note}, perform=perform)


def commission_report_auto_release(*, report_id, now=None):
    """The sweep's release of a report whose dispute window passed without a dispute. Returns
    the transaction, or None when it was not (or no longer) due."""
    now = now or timezone.now()
    report = CommissionReport.objects.select_related("engagement__workspace", "engagement__freelancer").get(
        pk=report_id)

    def perform(key, fp):
        return _release(report=report, actor=None, key=key, fp=fp, from_states=[C.REPORTED],
                        when=Q(dispute_deadline_at__lte=now), automatic=True, how="not disputed in time")

    try:
        tx = run_idempotent(workspace=report.engagement.workspace, key=f"commission-release:{report.pk}",
                            action="commission_report_auto_release", params={"report": report.pk}, perform=perform,
                            claim_refuses_retry=True)
    except StateConflict:
        return None
    return None if tx.replayed else tx


# --- Dispute ----------------------------------------------------------------------------------
def commission_report_dispute(*, report, actor, reason):
    """The freelancer disputes a report within its window: reported → disputed; nothing is paid
    until the owner corrects or resolves it."""
    engagement = report.engagement
    require_freelancer(engagement, actor)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say what is wrong with the report.", field="reason")
    now = timezone.now()
    with transaction.atomic():
        current = CommissionReport.objects.filter(pk=report.pk).values_list("status", "dispute_deadline_at").first()
        if current and current[0] == C.REPORTED and current[1] <= now:
            raise StateConflict("The window to dispute this report has closed.")
        r = _move(report.pk, C.DISPUTED, [C.REPORTED], when=Q(dispute_deadline_at__gt=now), disputed_at=now,
                  dispute_reason=reason[:5000])
        emails.commission_disputed(report=r)
        webhooks.commission_report_event("commission_report.disputed", r)
        timeline.record(engagement=engagement, kind="commission_disputed", actor_freelancer=engagement.freelancer,
                        summary=f"Commission report for {r.period:%B %Y} disputed by the freelancer: {reason[:200]}")
    return r
