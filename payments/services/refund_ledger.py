"""The ledger side of a refund after release (refund_released.py says the whole): the
`refund_released` transaction — payable (what is still owed) and/or paid out (what already left)
→ the owner's funding — with its credit note, the owners' email and the timeline line, posted
once per refund inside the caller's atomic block."""

from django.utils import timezone

from .. import refund_emails, timeline
from ..models import RefundRequest, RefundRequestStatus, ReleasedRefund, ReleasedRefundStatus, TransactionKind
from ..providers.off_platform import OffPlatformProvider
from .invoices import credit_note_for_refund
from .ledger import fingerprint, owner_funding_account, paid_out_account, payable_account, post


def released_refund_post(refund):
    """The ledger transaction of a refund (inside the caller's atomic block), once."""
    eng, m = refund.engagement, refund.milestone
    lines = [(payable_account(eng.freelancer), -refund.from_payable),
             (paid_out_account(eng.freelancer), -refund.from_paid_out),
             (owner_funding_account(eng.workspace), refund.amount)]
    lines = [(account, value) for account, value in lines if value]
    how = f" (returned by {dict(OffPlatformProvider.methods)[refund.method]}, reference {refund.reference})" \
        if refund.method else ""
    tx = post(workspace=eng.workspace, kind=TransactionKind.REFUND_RELEASED, currency=eng.currency, lines=lines,
              idempotency_key=refund.ledger_key,
              fingerprint=fingerprint("released_refund", {"refund": refund.pk, "amount": refund.amount}),
              engagement=eng, milestone=m, actor=refund.created_by,
              memo=f"Refunded after release on “{m.title}”{how}" + (f": {refund.reason}" if refund.reason else ""))
    ReleasedRefund.objects.filter(pk=refund.pk).update(transaction=tx, status=ReleasedRefundStatus.REFUNDED)
    refund.transaction, refund.status = tx, ReleasedRefundStatus.REFUNDED
    if refund.request_id:
        RefundRequest.objects.filter(pk=refund.request_id, status=RefundRequestStatus.OPEN).update(
            status=RefundRequestStatus.REFUNDED, answered_at=timezone.now())
    credit_note_for_refund(milestone=m, amount=refund.amount,
                           reason=f"refund after release on “{m.title}”" + (f": {refund.reason}" if refund.reason
                                                                           else ""))
    refund_emails.released_refunded(refund=refund, amount=timeline.money(refund.amount, eng))
    timeline.record(engagement=eng, kind="refund_released", actor_freelancer=eng.freelancer, milestone=m,
                    summary=f"{eng.freelancer.name} refunded {timeline.money(refund.amount, eng)} of “{m.title}”.")
    return tx
