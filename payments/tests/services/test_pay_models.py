"""Retainer and commission pay through the ledger: a period funded at its start and released at
its end by the sweep, exactly once however often the sweep runs; hours over the included ones
flagged once; a disputed period held and settled; a commission report disputed, corrected,
resolved and released; a settled month refused; the rounding half up to the cent."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from engagements.services.lifecycle import engagement_update
from engagements.services.reporting import status_update_post
from engagements.tests.factories import sign_agreement
from notifications.emails import build_message
from notifications.models import Notification
from payments import services
from payments.errors import InvalidInput, NotAllowed, StateConflict
from payments.models import (
    AccountKind,
    CommissionReport,
    CommittedTotal,
    InvoiceLine,
    LedgerTotal,
    MonthTotal,
    RetainerPeriod,
    Transaction,
    commission_for,
    retainer_period_dates,
)
from payments.reminders.pay_models import pay_models_sweep
from payments.selectors import budget_figures, retainer_periods_for
from payments.selectors.attention import owner_attention
from payments.services.totals import committed_from_totals, months_from_entries, totals_from_entries

from ..conftest import balance, new_key
from ..factories import EngagementFactory

pytestmark = pytest.mark.django_db

START = date(2026, 1, 31)


@pytest.fixture
def retainer(workspace, freelancer, time_machine):
    time_machine.move_to(datetime(2026, 2, 1, 9, 0, tzinfo=UTC), tick=False)
    return EngagementFactory(workspace=workspace, freelancer=freelancer, pay_terms="retainer", retainer_amount=300_000,
                             retainer_hours=20, starts_on=START, budget=2_000_000)


@pytest.fixture
def commission(workspace, freelancer, time_machine):
    time_machine.move_to(datetime(2026, 3, 10, 9, 0, tzinfo=UTC), tick=False)
    return EngagementFactory(workspace=workspace, freelancer=freelancer, pay_terms="commission",
                             commission_percent=Decimal("12.5"))


def totals_match_entries():
    stored = {(t.engagement_id, t.currency, t.account_kind, t.transaction_kind): t.amount
              for t in LedgerTotal.objects.all()}
    derived = {(t.engagement_id, t.currency, t.account_kind, t.transaction_kind): t.amount
               for t in totals_from_entries()}
    committed = {(t.engagement_id, t.currency): t.amount for t in CommittedTotal.objects.all()}
    committed_derived = {(t.engagement_id, t.currency): t.amount for t in committed_from_totals(totals_from_entries())}
    months = {(t.engagement_id, t.currency, t.slot): (t.released, t.paid_out) for t in MonthTotal.objects.all()}
    months_derived = {(t.engagement_id, t.currency, t.slot): (t.released, t.paid_out) for t in months_from_entries()}
    return ({k: v for k, v in stored.items() if v} == {k: v for k, v in derived.items() if v}
            and {k: v for k, v in committed.items() if v} == {k: v for k, v in committed_derived.items() if v}
            and months == months_derived)


def post_update(engagement, hours):
    status_update_post(engagement_id=engagement.pk, freelancer=engagement.freelancer, done="Work", next="More",
                       percent_complete=50, hours=hours)


def test_periods_run_month_to_month_from_the_start_day():
    assert retainer_period_dates(START, date(2026, 1, 31)) == (date(2026, 1, 31), date(2026, 2, 27))
    assert retainer_period_dates(START, date(2026, 2, 28)) == (date(2026, 2, 28), date(2026, 3, 30))
    assert retainer_period_dates(START, date(2026, 3, 31)) == (date(2026, 3, 31), date(2026, 4, 29))
    assert retainer_period_dates(START, date(2026, 1, 30)) is None


def test_the_sweep_funds_a_period_at_its_start_and_releases_it_at_its_end_once(retainer, freelancer, time_machine):
    first = pay_models_sweep()
    assert first["retainers_funded"] == 1
    assert pay_models_sweep()["retainers_funded"] == 0  # run twice: funded once
    period = RetainerPeriod.objects.get(engagement=retainer)
    assert (period.starts_on, period.ends_on, period.amount, period.hours_included, period.state) == (
        START, date(2026, 2, 27), 300_000, 20, "funded")
    assert balance(AccountKind.ESCROW, engagement=retainer) == 300_000
    assert Notification.objects.filter(kind="retainer_funded", recipient_email=freelancer.email).count() == 1

    time_machine.move_to(datetime(2026, 2, 28, 0, 5, tzinfo=UTC), tick=False)
    result = pay_models_sweep()
    assert result["retainers_released"] == 1 and result["retainers_funded"] == 1  # the next month starts
    assert pay_models_sweep() == {"retainers_released": 0, "retainers_funded": 0, "retainers_hours_over": 0,
                                  "commissions_released": 0}
    period.refresh_from_db()
    assert period.state == "released" and period.closed_transaction.automatic
    assert balance(AccountKind.PAYABLE, freelancer=freelancer) == 300_000
    assert balance(AccountKind.ESCROW, engagement=retainer) == 300_000  # the second month, set aside
    assert Transaction.objects.filter(engagement=retainer).count() == 3
    assert budget_figures(retainer).released == 300_000
    assert totals_match_entries()


def test_a_paused_or_unsigned_retainer_is_not_funded(retainer):
    retainer.status = "paused"
    retainer.save(update_fields=["status"])
    assert pay_models_sweep()["retainers_funded"] == 0
    assert not RetainerPeriod.objects.exists()


def test_hours_over_the_included_ones_are_flagged_once(retainer, owner, time_machine):
    pay_models_sweep()
    post_update(retainer, Decimal("15"))
    assert pay_models_sweep()["retainers_hours_over"] == 0
    post_update(retainer, Decimal("6.5"))
    assert pay_models_sweep()["retainers_hours_over"] == 1
    assert pay_models_sweep()["retainers_hours_over"] == 0
    [period] = retainer_periods_for(retainer)
    assert (period.hours_used, period.hours_over) == (Decimal("21.50"), Decimal("1.50"))
    note = Notification.objects.get(kind="retainer_hours_over")
    assert note.recipient_email == owner.email and note.context["hours_used"] == "21.50"


def test_a_disputed_period_is_held_past_its_end_and_settled_by_the_owner(retainer, owner, freelancer, time_machine):
    pay_models_sweep()
    period = RetainerPeriod.objects.get()
    services.retainer_period_dispute(period=period, actor=freelancer.user, reason="Half the month was a holiday")
    time_machine.move_to(datetime(2026, 3, 1, tzinfo=UTC), tick=False)
    assert pay_models_sweep()["retainers_released"] == 0
    with pytest.raises(InvalidInput):
        services.retainer_period_resolve(period=period, actor=owner, release_amount=100_000, refund_amount=100_000,
                                         idempotency_key=new_key())
    with pytest.raises(NotAllowed):
        services.retainer_period_resolve(period=period, actor=freelancer.user, release_amount=150_000,
                                         refund_amount=150_000, idempotency_key=new_key())
    services.retainer_period_resolve(period=period, actor=owner, release_amount=150_000, refund_amount=150_000,
                                     idempotency_key=new_key(), note="Half")
    period.refresh_from_db()
    assert period.state == "split"
    assert balance(AccountKind.PAYABLE, freelancer=freelancer) == 150_000
    with pytest.raises(StateConflict):
        services.retainer_period_dispute(period=period, actor=owner, reason="Again")
    assert totals_match_entries()


def test_commission_report_dispute_correct_resolve_and_release(commission, owner, freelancer):
    report = services.commission_report_create(engagement=commission, actor=owner, period=date(2026, 2, 14),
                                               base_amount=1_000_005)
    assert (report.period, report.commission_amount, report.status) == (date(2026, 2, 1), 125_001, "reported")
    assert Notification.objects.filter(kind="commission_reported", recipient_email=freelancer.email).exists()
    with pytest.raises(NotAllowed):
        services.commission_report_dispute(report=report, actor=owner, reason="No")
    services.commission_report_dispute(report=report, actor=freelancer.user, reason="Sales were higher")
    assert Notification.objects.filter(kind="commission_disputed", recipient_email=owner.email).exists()
    corrected = services.commission_report_create(engagement=commission, actor=owner, period=date(2026, 2, 1),
                                                  base_amount=1_200_000)
    report.refresh_from_db()
    assert report.status == "superseded" and report.superseded_by == corrected
    services.commission_report_dispute(report=corrected, actor=freelancer.user, reason="Still low")
    key = new_key()
    tx = services.commission_report_resolve(report=corrected, actor=owner, idempotency_key=key)
    assert services.commission_report_resolve(report=corrected, actor=owner, idempotency_key=key).replayed
    assert tx.kind == "commission"
    assert balance(AccountKind.PAYABLE, freelancer=freelancer) == 150_000
    assert budget_figures(commission).commissions == 150_000
    with pytest.raises(StateConflict, match="already settled"):
        services.commission_report_create(engagement=commission, actor=owner, period=date(2026, 2, 20),
                                          base_amount=10)
    assert CommissionReport.objects.filter(engagement=commission).count() == 2
    assert totals_match_entries()


def test_commission_accepted_or_released_when_the_window_passes(commission, owner, freelancer, time_machine):
    january = services.commission_report_create(engagement=commission, actor=owner, period=date(2026, 1, 1),
                                                base_amount=80_000)
    february = services.commission_report_create(engagement=commission, actor=owner, period=date(2026, 2, 1),
                                                 base_amount=40_000)
    services.commission_report_accept(report=january, actor=freelancer.user, idempotency_key=new_key())
    assert pay_models_sweep()["commissions_released"] == 0
    time_machine.move_to(february.dispute_deadline_at + timedelta(minutes=1), tick=False)
    with pytest.raises(StateConflict, match="closed"):
        services.commission_report_dispute(report=february, actor=freelancer.user, reason="Late")
    assert pay_models_sweep()["commissions_released"] == 1
    assert pay_models_sweep()["commissions_released"] == 0
    assert list(CommissionReport.objects.values_list("status", flat=True)) == ["released", "released"]
    assert balance(AccountKind.PAYABLE, freelancer=freelancer) == 10_000 + 5_000
    assert Transaction.objects.get(commission_report=february).automatic


def test_commission_rounds_half_up_to_the_cent():
    assert commission_for(1, Decimal("50")) == 1  # 0.5 → 1
    assert commission_for(3, Decimal("50")) == 2  # 1.5 → 2
    assert commission_for(1_000, Decimal("0.05")) == 1  # 0.5 → 1
    assert commission_for(999, Decimal("0.05")) == 0  # 0.4995 → 0
    assert commission_for(12_345, Decimal("100")) == 12_345


def test_pay_terms_figures_are_checked_by_name(commission, owner):
    with pytest.raises(ValidationError) as exc:
        engagement_update(engagement=commission, actor=owner, pay_terms="retainer", retainer_amount=0)
    assert set(exc.value.message_dict) == {"retainer_amount", "retainer_hours"}
    with pytest.raises(ValidationError) as exc:
        engagement_update(engagement=commission, actor=owner, commission_percent=Decimal("100.01"))
    assert set(exc.value.message_dict) == {"commission_percent"}
    with pytest.raises(StateConflict, match="not paid by commission"):
        services.commission_report_create(engagement=EngagementFactory(workspace=commission.workspace),
                                          actor=owner, period=date(2026, 2, 1), base_amount=100)


def test_disputes_and_hours_over_need_the_owners_attention_until_handled(retainer, commission, owner, freelancer,
                                                                         time_machine):
    time_machine.move_to(datetime(2026, 3, 10, 9, 0, tzinfo=UTC), tick=False)
    pay_models_sweep()
    period = RetainerPeriod.objects.get(engagement=retainer)
    post_update(retainer, Decimal("30"))
    pay_models_sweep()
    report = services.commission_report_create(engagement=commission, actor=owner, period=date(2026, 2, 1),
                                               base_amount=10_000)
    services.commission_report_dispute(report=report, actor=freelancer.user, reason="Too low")

    def kinds():
        now = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
        return {item.key: item for item in owner_attention(retainer.workspace, user=owner, now=now)}

    items = kinds()
    assert {f"commission_disputed:{report.pk}", f"retainer_hours_over:{period.pk}"} <= set(items)
    assert items[f"commission_disputed:{report.pk}"].title.startswith("Commission report disputed")
    services.retainer_period_dispute(period=period, actor=owner, reason="Hours")
    assert f"retainer_disputed:{period.pk}" in kinds() and f"retainer_hours_over:{period.pk}" not in kinds()
    services.commission_report_resolve(report=report, actor=owner, idempotency_key=new_key())
    services.retainer_period_resolve(period=period, actor=owner, release_amount=300_000, refund_amount=0,
                                     idempotency_key=new_key())
    assert not {k for k in kinds() if k.startswith(("commission_", "retainer_"))}


def test_every_pay_model_email_renders(retainer, commission, owner, freelancer, time_machine):
    time_machine.move_to(datetime(2026, 3, 10, 9, 0, tzinfo=UTC), tick=False)
    pay_models_sweep()
    post_update(retainer, Decimal("25"))
    pay_models_sweep()
    period = RetainerPeriod.objects.get(engagement=retainer)
    services.retainer_period_dispute(period=period, actor=owner, reason="Quiet month")
    services.retainer_period_resolve(period=period, actor=owner, release_amount=200_000, refund_amount=100_000,
                                     idempotency_key=new_key())
    report = services.commission_report_create(engagement=commission, actor=owner, period=date(2026, 2, 1),
                                               base_amount=10_000, note="Shop sales")
    services.commission_report_dispute(report=report, actor=freelancer.user, reason="Missing refunds")
    services.commission_report_resolve(report=report, actor=owner, idempotency_key=new_key())
    kinds = set()
    for note in Notification.objects.select_related("workspace", "recipient_user"):
        message = build_message(note)
        assert "{{" not in message.body and "{%" not in message.body and "{{" not in message.subject
        kinds.add(note.kind)
    assert {"retainer_funded", "retainer_hours_over", "retainer_disputed", "retainer_resolved",
            "commission_reported", "commission_disputed", "commission_released"} <= kinds
    over = build_message(Notification.objects.get(kind="retainer_hours_over"))
    assert "25" in over.subject and "20 h included" in over.subject
    resolved = build_message(Notification.objects.get(kind="retainer_resolved")).body
    assert "2,000.00 USD released to you, 1,000.00 USD refunded" in resolved


def test_a_self_billed_retainer_release_and_commission_are_invoiced_in_their_own_words(
        retainer, commission, owner, freelancer, time_machine):
    for engagement in (retainer, commission):
        sign_agreement(engagement, owner)
    time_machine.move_to(datetime(2026, 2, 1, 9, 0, tzinfo=UTC), tick=False)
    pay_models_sweep()
    time_machine.move_to(datetime(2026, 2, 28, 1, 0, tzinfo=UTC), tick=False)
    pay_models_sweep()
    report = services.commission_report_create(engagement=commission, actor=owner, period=date(2026, 1, 1),
                                               base_amount=80_000)
    services.commission_report_accept(report=report, actor=freelancer.user, idempotency_key=new_key())
    lines = {(line.invoice.engagement_id, line.description, line.amount) for line in InvoiceLine.objects.all()}
    assert lines == {
        (retainer.pk, "Retainer 31 Jan 2026 – 27 Feb 2026 released at the end of the period", 300_000),
        (commission.pk, "Commission for January 2026 (accepted by the freelancer)", 10_000),
    }
