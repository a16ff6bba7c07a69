"""The database's own guards on PostgreSQL (migration 0002). On SQLite there are no triggers:
there the services are the only guard — `payments.services.ledger.post` refuses an unbalanced
transaction and nothing in the code updates or deletes ledger rows (see services/test_ledger.py)."""

import pytest
from django.db import IntegrityError, connection, transaction

from payments.models import Entry, Transaction

pytestmark = [pytest.mark.postgres]


@pytest.mark.django_db
@pytest.mark.parametrize("sql", [
    "UPDATE payments_entry SET amount = amount + 1 WHERE id = %s",
    "DELETE FROM payments_entry WHERE id = %s",
])
def test_it_refuses_to_change_or_delete_an_entry(funded, sql):
    entry = Entry.objects.first()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, [entry.pk])
    entry.refresh_from_db()


@pytest.mark.django_db
@pytest.mark.parametrize("sql", [
    "UPDATE payments_transaction SET memo = 'edited' WHERE id = %s",
    "DELETE FROM payments_transaction WHERE id = %s",
])
def test_it_refuses_to_change_or_delete_a_transaction(funded, sql):
    tx = Transaction.objects.get()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, [tx.pk])
    assert Transaction.objects.get().memo == tx.memo


@pytest.mark.django_db
def test_the_orm_cannot_delete_ledger_rows_either(funded):
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.all().delete()
    assert Entry.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_an_unbalanced_transaction_is_refused_at_commit(funded):
    tx = Transaction.objects.get()
    account_id = Entry.objects.filter(transaction=tx).values_list("account_id", flat=True).first()
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "INSERT INTO payments_transaction (workspace_id, kind, idempotency_key, request_fingerprint, "
            "automatic, memo, created_at) VALUES (%s, 'bonus', 'raw-sql', '', false, 'raw', now()) RETURNING id",
            [tx.workspace_id],
        )
        (new_id,) = cur.fetchone()
        cur.execute(
            "INSERT INTO payments_entry (transaction_id, account_id, amount, currency) VALUES (%s, %s, 500, 'USD')",
            [new_id, account_id],
        )
    # The whole database transaction was rolled back at COMMIT.
    assert not Transaction.objects.filter(idempotency_key="raw-sql").exists()
    assert Entry.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_balanced_transaction_written_in_any_order_commits(funded):
    """The check is deferred to COMMIT, so the entries may arrive one statement at a time."""
    tx = Transaction.objects.get()
    accounts = list(Entry.objects.filter(transaction=tx).values_list("account_id", flat=True))
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "INSERT INTO payments_transaction (workspace_id, kind, idempotency_key, request_fingerprint, "
            "automatic, memo, created_at) VALUES (%s, 'bonus', 'raw-ok', '', false, 'raw', now()) RETURNING id",
            [tx.workspace_id],
        )
        (new_id,) = cur.fetchone()
        for account_id, amount in zip(accounts, (-7, 7), strict=True):
            cur.execute(
                "INSERT INTO payments_entry (transaction_id, account_id, amount, currency) VALUES (%s, %s, %s, 'USD')",
                [new_id, account_id, amount],
            )
    assert Entry.objects.filter(transaction_id=new_id).count() == 2
