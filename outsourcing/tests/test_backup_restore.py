"""Recovery: the backup README and docs/reliability.md describe (`pg_dump -Fc`, `pg_restore` into
an empty database) brings back every row, every ledger balance, and the database's own guards.

The test builds a money history through the services, dumps the test database with `pg_dump`
(from its connection settings), restores the dump into a fresh database it creates and drops,
and compares: every table's rows (a digest of its content, so whatever table comes next is
covered too), every account's balance, the audit log's events, and the append-only triggers of
the ledger and the audit log, which must still refuse in the restored copy.
"""

import os
import shutil
import subprocess
import uuid
from datetime import date

import psycopg
import pytest
from django.db import connection

from conftest import service_missing
from payments import services
from payments.tests.factories import EngagementFactory, FreelancerFactory, MilestoneFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BALANCES = """
    SELECT a.id, a.kind, e.currency, SUM(e.amount)
    FROM payments_entry e JOIN payments_account a ON a.id = e.account_id
    GROUP BY a.id, a.kind, e.currency ORDER BY a.id, e.currency
"""

AUDITED = "SELECT action, actor_email, object_type, object_id, at FROM accounts_auditevent ORDER BY id"


def _pg_env():
    db = connection.settings_dict
    env = {**os.environ, "PGHOST": db.get("HOST") or "127.0.0.1", "PGPORT": str(db.get("PORT") or 5432),
           "PGUSER": db.get("USER") or "postgres"}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def _run(*args):
    subprocess.run(args, env=_pg_env(), check=True, capture_output=True, timeout=120)


def _snapshot(conn):
    """{table: digest of its rows} for every table in the public schema, and the balances."""
    tables = [r[0] for r in conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename").fetchall()]
    digests = {}
    for table in tables:
        digests[table] = conn.execute(
            f'SELECT count(*), md5(coalesce(string_agg(t::text, \'|\' ORDER BY t::text), \'\')) FROM "{table}" t'
        ).fetchone()
    return digests, conn.execute(BALANCES).fetchall()


def _connect(name):
    env = _pg_env()
    return psycopg.connect(host=env["PGHOST"], port=env["PGPORT"], user=env["PGUSER"],
                           password=env.get("PGPASSWORD"), dbname=name, autocommit=True)


@pytest.fixture
def money_history(owner, workspace):
    """Fund, release, refund, dispute and resolve, a bonus and a payout: every account kind."""
    freelancer = FreelancerFactory(workspace=workspace)
    engagement = EngagementFactory(workspace=workspace, freelancer=freelancer)
    keys = iter(range(1, 100))

    def key():
        return f"backup-{next(keys)}"

    released, refunded, disputed = (MilestoneFactory(engagement=engagement, amount=a)
                                    for a in (120_000, 30_000, 50_000))
    for m in (released, refunded, disputed):
        services.milestone_fund(milestone=m, actor=owner, idempotency_key=key())
    services.milestone_submit_for_review(milestone_id=released.pk, freelancer=freelancer, message="Done",
                                         attest_own_work=True)
    services.milestone_release(milestone=released, actor=owner, idempotency_key=key())
    services.milestone_refund(milestone=refunded, actor=owner, idempotency_key=key())
    services.milestone_dispute(milestone=disputed, actor=owner, reason="Late", idempotency_key=key())
    services.milestone_resolve(milestone=disputed, actor=owner, release_amount=20_000, refund_amount=30_000,
                               idempotency_key=key())
    services.bonus_pay(engagement=engagement, actor=owner, amount=5_000, note="Thanks", idempotency_key=key())
    services.payout_record(engagement=engagement, actor=owner, amount=100_000, method="bank_transfer",
                           reference="B-1", paid_on=date(2026, 1, 5), idempotency_key=key())
    return engagement


def test_a_dump_restored_into_a_fresh_database_has_every_row_and_balance(money_history, tmp_path):
    for binary in ("pg_dump", "pg_restore", "createdb", "dropdb"):
        if not shutil.which(binary):
            service_missing(f"needs {binary} on PATH (Debian's postgresql-client) to dump and restore")
    source = connection.settings_dict["NAME"]
    copy = f"{source}_restore_{uuid.uuid4().hex[:8]}"
    dump = tmp_path / "backup.dump"
    connection.close()  # the dump sees what the services committed; nothing of ours is open
    _run("pg_dump", "-Fc", "--no-owner", "-f", str(dump), source)
    _run("createdb", copy)
    try:
        _run("pg_restore", "--no-owner", "--exit-on-error", "-d", copy, str(dump))
        with _connect(source) as original, _connect(copy) as restored:
            before, after = _snapshot(original), _snapshot(restored)
            # Restored into the fresh database, not merely still there.
            assert after[1] and len(after[0]) == len(before[0]) > 20
            assert after == before
            assert {kind for _, kind, _, _ in after[1]} == {"owner_funding", "escrow", "payable", "paid_out"}
            # Every money action was audited, and the audit log came back whole.
            assert after[0]["accounts_auditevent"][0] >= 8
            assert restored.execute(AUDITED).fetchall() == original.execute(AUDITED).fetchall()
            # The database's guards came back with the data: ledger and audit log stay append-only.
            for statement in ("UPDATE payments_entry SET amount = amount + 1", "DELETE FROM accounts_auditevent"):
                with pytest.raises(psycopg.Error, match="append-only|refused"):
                    restored.execute(statement)
    finally:
        _run("dropdb", "--if-exists", copy)
