"""Invoice numbers under concurrency on real PostgreSQL: threads with their own connections,
released together by a barrier, issue at once; the counter row's lock keeps the series gapless
and without duplicates, and one payment is never invoiced twice."""

import pytest

from engagements.tests.factories import sign_agreement
from payments import services
from payments.errors import StateConflict
from payments.models import Invoice
from payments.services.invoices import invoice_issue, tax_details_save

from ..conftest import new_key
from ..factories import EngagementFactory
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


def test_self_billed_payments_on_four_engagements_at_once_share_one_gapless_series(workspace, owner, freelancer):
    engagements = [EngagementFactory(workspace=workspace, freelancer=freelancer) for _ in range(4)]
    other = EngagementFactory(workspace=workspace)  # another issuer, its own series
    for engagement in (*engagements, other):
        sign_agreement(engagement, owner)
    calls = [(lambda e=e, i=i: services.bonus_pay(engagement=e, actor=owner, amount=500 + i, note="Thanks",
                                                  idempotency_key=f"race-bonus-{i}"))
             for i, e in enumerate([*engagements, *engagements, other, other])]
    outcomes = race(*calls)
    assert [e for _, e in outcomes] == [None] * 10
    mine = Invoice.objects.filter(freelancer=freelancer)
    assert sorted(mine.values_list("sequence", flat=True)) == list(range(1, 9))
    assert sorted(Invoice.objects.filter(freelancer=other.freelancer).values_list("sequence", flat=True)) == [1, 2]
    assert all(invoice.transaction_id for invoice in mine)
