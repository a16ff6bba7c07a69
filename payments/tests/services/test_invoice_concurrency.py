"""Invoice numbers under concurrency on real PostgreSQL: threads with their own connections,
released together by a barrier, issue at once; the counter row's lock keeps the series gapless
and without duplicates, and one payment is never invoiced twice."""

import pytest

from payments import services
from payments.errors import StateConflict
from payments.models import Invoice
from payments.services.invoices import invoice_issue, tax_details_save

from ..conftest import new_key
from .test_concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_eight_concurrent_issues_number_one_to_eight_without_gap_or_duplicate(engagement, owner, freelancer):
    tax_details_save(freelancer=freelancer, legal_name="Frida", address="Street 1\nBerlin", country="DE")
    bonuses = [services.bonus_pay(engagement=engagement, actor=owner, amount=1_000 + i, note=f"Bonus {i}",
                                  idempotency_key=new_key()) for i in range(9)]
    outcomes = race(*[(lambda tx=tx: invoice_issue(transaction_id=tx.pk, actor=freelancer.user))
                      for tx in bonuses[:8]])
    assert [e for _, e in outcomes] == [None] * 8
    assert sorted(Invoice.objects.values_list("sequence", flat=True)) == list(range(1, 9))
    assert len(set(Invoice.objects.values_list("number", flat=True))) == 8
    # Four at once for one payment: one invoice, three clear refusals, and the series goes on at 9.
    outcomes = race(*[(lambda: invoice_issue(transaction_id=bonuses[8].pk, actor=freelancer.user))
                      for _ in range(4)])
    assert sum(e is None for _, e in outcomes) == 1
    assert all(isinstance(e, StateConflict) for _, e in outcomes if e is not None)
    assert Invoice.objects.get(transaction=bonuses[8]).sequence == 9
    assert Invoice.objects.count() == 9
