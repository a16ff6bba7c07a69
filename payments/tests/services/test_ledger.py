"""The ledger's rules as the services hold them. On SQLite there are no database triggers: these
service-level guarantees are what keeps the ledger balanced and append-only there (on
PostgreSQL the database enforces them too, see test_postgres_guards.py)."""

import pytest
from django.db import transaction
from django.db.models import Sum

from payments import services
from payments.errors import InvalidInput, PaymentError
from payments.models import Account, AccountKind, Entry, Transaction
from payments.services import ledger

from ..conftest import new_key

pytestmark = pytest.mark.django_db


def test_post_refuses_an_unbalanced_transaction(engagement):
    with pytest.raises(PaymentError, match="unbalanced"), transaction.atomic():
        ledger.post(workspace=engagement.workspace, kind="bonus", currency="USD",
                    lines=[(ledger.owner_funding_account(engagement.workspace), -100),
                           (ledger.payable_account(engagement.freelancer), 99)],
                    idempotency_key=new_key(), fingerprint="x", engagement=engagement)
    assert Transaction.objects.count() == 0


@pytest.mark.parametrize("amount", [0, 1.5, True, "10"])
def test_post_refuses_lines_that_are_not_non_zero_integers(engagement, amount):
    with pytest.raises(InvalidInput), transaction.atomic():
        ledger.post(workspace=engagement.workspace, kind="bonus", currency="USD",
                    lines=[(ledger.owner_funding_account(engagement.workspace), amount)],
                    idempotency_key=new_key(), fingerprint="x")


def test_accounts_are_one_per_owner_and_kind(engagement, freelancer):
    assert ledger.escrow_account(engagement) == ledger.escrow_account(engagement)
    assert ledger.payable_account(freelancer) != ledger.paid_out_account(freelancer)
    assert Account.objects.filter(kind=AccountKind.ESCROW).count() == 1


def test_every_action_writes_balanced_transactions(submitted, owner, make_milestone):
    services.milestone_release(milestone=submitted, actor=owner, idempotency_key=new_key())
    other = make_milestone(amount=33_333)
    services.milestone_fund(milestone=other, actor=owner, idempotency_key=new_key())
    services.milestone_dispute(milestone=other, actor=owner, reason="x", idempotency_key=new_key())
    services.milestone_resolve(milestone=other, actor=owner, release_amount=11_111, refund_amount=22_222,
                               idempotency_key=new_key())
    sums = Entry.objects.values("transaction").annotate(total=Sum("amount")).values_list("total", flat=True)
    assert set(sums) == {0}
    assert Transaction.objects.count() == 5
