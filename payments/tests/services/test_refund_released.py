"""Refunds after release off the platform: the owner may ask with a reason; the freelancer gives
back, in full or part, never more than was released minus earlier refunds; what is still owed
comes back from payable, what was paid out from paid out (returned outside, recorded like a
payout); a credit note corrects the release's invoice; retries and races move money once."""

from datetime import date

import pytest

from accounts.models import AuditEvent
from engagements.models import Activity
from notifications.models import Notification
from payments import services
from payments.errors import IdempotencyConflict, InsufficientFunds, InvalidInput, NotAllowed, StateConflict
from payments.models import AccountKind, Invoice, InvoiceKind, RefundRequest, ReleasedRefund, Transaction
from payments.services.invoices import invoice_issue

from ..conftest import balance, ledger_size, new_key
from ..factories import FreelancerFactory
from .test_concurrency import race
from .test_invoices import tax_details

pytestmark = pytest.mark.django_db


def _give(milestone, freelancer, amount, key=None, **more):
    return services.released_refund(milestone=milestone, actor=freelancer.user, amount=amount,
                                    idempotency_key=key or new_key(), **more)


def test_the_owner_asks_and_the_freelancer_refunds_part_of_what_is_still_owed(released, owner, freelancer):
    ask = services.refund_request(milestone=released, actor=owner, reason="The contact form never worked",
                                  amount=40_000)
    assert ask.status == "open"
    assert Notification.objects.filter(kind="refund_requested", recipient_email=freelancer.email).count() == 1
    # Asking again while one waits answers the waiting one.
    assert services.refund_request(milestone=released, actor=owner, reason="Again").pk == ask.pk

    refund = _give(released, freelancer, 40_000, key="back-1", reason="Fair enough")
    assert (refund.status, refund.from_payable, refund.from_paid_out) == ("refunded", 40_000, 0)
    ask.refresh_from_db()
    assert ask.status == "refunded" and refund.request == ask
    tx = Transaction.objects.get(kind="refund_released")
    assert {(e.account.kind, e.amount) for e in tx.entries.all()} == {(AccountKind.PAYABLE, -40_000),
                                                                     (AccountKind.OWNER_FUNDING, 40_000)}
    assert balance(AccountKind.PAYABLE) == 110_000 and balance(AccountKind.OWNER_FUNDING) == -110_000
    assert Notification.objects.filter(kind="released_refunded", recipient_email=owner.email).count() == 1
    assert Activity.objects.filter(kind="refund_released").count() == 1
    assert AuditEvent.objects.filter(action="money.refund_released").count() == 1
    assert AuditEvent.objects.filter(action="money.refund_requested").count() == 1


def test_money_paid_out_comes_back_from_paid_out_when_the_freelancer_says_how(released, owner, freelancer,
                                                                             engagement):
    services.payout_record(engagement=engagement, actor=owner, amount=100_000, method="paypal",
                           reference="PP-1", paid_on=date(2026, 1, 5), idempotency_key=new_key())
    before = ledger_size()
    with pytest.raises(InvalidInput, match="choose how you sent it back") as refused:
        _give(released, freelancer, 80_000)
    assert refused.value.field == "method" and ledger_size() == before and not ReleasedRefund.objects.exists()
    with pytest.raises(InvalidInput, match="never card details"):
        _give(released, freelancer, 80_000, method="bank_transfer", reference="4242 4242 4242 4242")
    refund = _give(released, freelancer, 80_000, method="bank_transfer", reference="SEPA-RET-7")
    # 50,000 was still owed; the other 30,000 had been paid out and was sent back outside.
    assert (refund.from_payable, refund.from_paid_out) == (50_000, 30_000)
    assert balance(AccountKind.PAYABLE) == 0 and balance(AccountKind.PAID_OUT) == 70_000
    assert "SEPA-RET-7" in refund.transaction.memo


def test_never_more_than_released_minus_earlier_refunds_and_nothing_stored_when_refused(released, freelancer):
    _give(released, freelancer, 100_000)
    before = ledger_size()
    with pytest.raises(InsufficientFunds, match="At most 500.00 USD is left to refund") as refused:
        _give(released, freelancer, 50_001)
    assert refused.value.field == "amount" and ledger_size() == before and ReleasedRefund.objects.count() == 1
    for bad in (0, -5, True, "ten"):
        with pytest.raises(InvalidInput):
            _give(released, freelancer, bad)
    _give(released, freelancer, 50_000)
    with pytest.raises(InsufficientFunds):
        _give(released, freelancer, 1)


def test_a_retry_answers_the_first_refund_and_another_request_under_its_key_is_refused(released, freelancer):
    first = _give(released, freelancer, 10_000, key="k")
    again = _give(released, freelancer, 10_000, key="k")
    assert again.pk == first.pk and again.replayed and Transaction.objects.filter(kind="refund_released").count() == 1
    with pytest.raises(IdempotencyConflict):
        _give(released, freelancer, 20_000, key="k")


def test_only_the_engagements_freelancer_refunds_and_only_the_owner_asks(released, owner, workspace, freelancer):
    someone = FreelancerFactory(workspace=workspace, name="Other", email="other@example.com")
    with pytest.raises(NotAllowed):
        _give(released, someone, 1_000)
    with pytest.raises(NotAllowed):
        services.refund_request(milestone=released, actor=freelancer.user, reason="Mine")
    with pytest.raises(InvalidInput, match="Say why"):
        services.refund_request(milestone=released, actor=owner, reason="  ")
    assert not ReleasedRefund.objects.exists() and not RefundRequest.objects.exists()


def test_a_milestone_not_released_is_refunded_the_other_way(funded, owner, freelancer):
    with pytest.raises(StateConflict, match="cancel and refund"):
        services.refund_request(milestone=funded, actor=owner, reason="Stop")
    with pytest.raises(StateConflict):
        _give(funded, freelancer, 1_000)


def test_the_releases_invoice_gets_a_credit_note(released, freelancer, workspace):
    tax_details(freelancer, workspace)
    invoice = invoice_issue(transaction_id=Transaction.objects.get(kind="release").pk, actor=freelancer.user)
    _give(released, freelancer, 25_000, reason="Late delivery")
    note = Invoice.objects.get(kind=InvoiceKind.CREDIT_NOTE)
    assert note.corrects == invoice and note.total == 25_000
    assert "refund after release" in note.lines.get().description


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_refunds_at_once_cannot_take_the_same_money_twice(released, freelancer):
    outcomes = race(*[(lambda i=i: _give(released, freelancer, 100_000, key=f"race-{i}")) for i in range(4)])
    wins = [r for r, e in outcomes if e is None]
    assert len(wins) == 1 and all(isinstance(e, InsufficientFunds) for r, e in outcomes if e is not None)
    assert Transaction.objects.filter(kind="refund_released").count() == 1
    assert balance(AccountKind.PAYABLE) == 50_000


def test_money_given_back_after_release_is_refunded_and_no_longer_committed_on_the_budget(
        released, freelancer, engagement):
    from payments.models import CommittedTotal
    from payments.selectors import budget_figures

    before = budget_figures(engagement)
    _give(released, freelancer, 40_000)
    after = budget_figures(engagement)
    # The owner sees the money back as refunded, and the budget bar no longer counts it as spent.
    assert after.refunded == before.refunded + 40_000
    assert after.committed == before.committed - 40_000
    assert CommittedTotal.objects.get(engagement=engagement).amount == after.committed
