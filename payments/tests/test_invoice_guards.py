"""An issued invoice cannot change: on PostgreSQL the append-only trigger (migration 0006)
refuses UPDATE and DELETE of invoices and their lines, whoever asks."""

import pytest
from django.db import IntegrityError, connection, transaction

from engagements.tests.factories import sign_agreement
from payments import services
from payments.models import Invoice, InvoiceLine

from .conftest import new_key

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.mark.parametrize("sql", [
    "UPDATE payments_invoice SET total = total + 1, net_total = net_total + 1 WHERE id = %s",
    "UPDATE payments_invoice SET issuer_legal_name = 'Someone else' WHERE id = %s",
    "DELETE FROM payments_invoice WHERE id = %s",
    "UPDATE payments_invoiceline SET amount = 1 WHERE invoice_id = %s",
    "DELETE FROM payments_invoiceline WHERE invoice_id = %s",
])
def test_an_issued_invoice_cannot_change(engagement, owner, sql):
    sign_agreement(engagement, owner)
    services.bonus_pay(engagement=engagement, actor=owner, amount=5_000, note="Thanks", idempotency_key=new_key())
    invoice = Invoice.objects.get()
    with pytest.raises(IntegrityError, match="never changes"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, [invoice.pk])
    invoice.refresh_from_db()
    assert (invoice.total, invoice.issuer_legal_name) == (5_000, engagement.freelancer.name)
    assert InvoiceLine.objects.get(invoice=invoice).amount == 5_000
