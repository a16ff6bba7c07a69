"""What an invoice line calls each kind of payment when the payment carries no words of its own."""

import pytest

from payments.models import Transaction, TransactionKind
from payments.selectors.invoices import _describe


@pytest.mark.parametrize(("kind", "memo", "expected"), [
    (TransactionKind.COMMISSION, "", "Commission"),
    (TransactionKind.COMMISSION, "Commission for May 2026 (accepted)", "Commission for May 2026 (accepted)"),
    (TransactionKind.RELEASE, "", "Retainer period"),
    (TransactionKind.RESOLVE, "Retainer 1 May 2026 – 31 May 2026 dispute resolved: split",
     "Retainer 1 May 2026 – 31 May 2026 dispute resolved: split"),
    (TransactionKind.BONUS, "", "Bonus"),
    (TransactionKind.TIMESHEET, "", "Hours worked"),
])
def test_each_kind_of_payment_is_labelled_as_what_it_is(kind, memo, expected):
    assert _describe(Transaction(kind=kind, memo=memo)) == expected
