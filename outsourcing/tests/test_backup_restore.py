"""Recovery: the backup README and docs/reliability.md describe (`pg_dump -Fc`, `pg_restore` into
an empty database) brings back every row, every ledger balance, and the database's own guards.

The test builds a money history through the services, dumps the test database with `pg_dump`
(from its connection settings), restores the dump into a fresh database it creates and drops,
and compares: every table's rows (a digest of its content, so whatever table comes next is
covered too), every account's balance, the audit log's events, and the append-only triggers of
the ledger and the audit log, which must still refuse in the restored copy. The second test
backs up and restores the uploaded files with the README's own `tar` lines, beside the database.
"""

import hashlib
import os
import re
import shutil
import subprocess
import uuid
from datetime import date

import psycopg
import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models

from conftest import service_missing
from engagements.services.attachment import attachment_upload
from freelancers.services.portfolio import sample_add
from payments import services
from payments.tests.factories import EngagementFactory, FreelancerFactory, MilestoneFactory
from portal.tests.conftest import real_png

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


# --- The uploaded files (README, "Backup and restore") ---------------------------------------
def _readme_commands(program):
    """The `program` lines of README's "Backup and restore" shell blocks, in order: the test
    runs what the README says, so a change there is tested here."""
    readme = (settings.BASE_DIR / "README.md").read_text()
    section = readme.split("### Backup and restore", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    return [line.split("  #", 1)[0].strip() for block in blocks for line in block.splitlines()
            if line.startswith(f"{program} ")]


def _file_columns():
    """Every FileField of every model: whatever upload kind comes next is covered too."""
    return [(model._meta.db_table, field.column) for model in apps.get_models()
            for field in model._meta.concrete_fields if isinstance(field, models.FileField)]


def _stored_files(conn):
    names = set()
    for table, column in _file_columns():
        names |= {r[0] for r in conn.execute(f'SELECT "{column}" FROM "{table}" WHERE "{column}" <> \'\'').fetchall()}
    return names


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def uploads(owner, workspace, settings, tmp_path):
    """A portfolio sample and a conversation image (with its generated thumbnail), through the
    services, under a MEDIA_ROOT laid out like the default one (`var/media`)."""
    settings.MEDIA_ROOT = tmp_path / "site" / "var" / "media"
    freelancer = FreelancerFactory(workspace=workspace)
    sample_add(freelancer=freelancer, actor=owner, title="Sample",
               upload=SimpleUploadedFile("sample.pdf", b"%PDF-1.4\nportfolio\n", content_type="application/pdf"))
    attachment_upload(workspace=workspace, uploaded_by=owner,
                      upload=SimpleUploadedFile("shot.png", real_png(), content_type="image/png"))
    return settings.MEDIA_ROOT


def test_the_uploaded_files_come_back_with_the_database_as_the_readme_says(uploads, tmp_path, settings):
    for binary in ("pg_dump", "pg_restore", "createdb", "dropdb", "tar"):
        if not shutil.which(binary):
            service_missing(f"needs {binary} on PATH to back up and restore")
    backup_tar, restore_tar = _readme_commands("tar")
    archive = tmp_path / "media-backup.tar.gz"
    source = connection.settings_dict["NAME"]
    copy = f"{source}_restore_{uuid.uuid4().hex[:8]}"
    dump = tmp_path / "backup.dump"
    connection.close()
    # Backup, in the README's order: the database first, then the files.
    _run("pg_dump", "-Fc", "--no-owner", "-f", str(dump), source)
    _shell(_archive_named(backup_tar, archive), MEDIA_ROOT=str(uploads))
    # Restore on a new machine: an empty database and an empty MEDIA_ROOT at the same place.
    restored_media = tmp_path / "new-site" / "var" / "media"
    restored_media.parent.mkdir(parents=True)
    _run("createdb", copy)
    try:
        _run("pg_restore", "--no-owner", "--exit-on-error", "-d", copy, str(dump))
        _shell(_archive_named(restore_tar, archive), MEDIA_ROOT=str(restored_media))
        with _connect(copy) as restored:
            names = _stored_files(restored)
        # A sample, an attachment and its thumbnail; each back, byte for byte.
        assert len(names) == 3
        assert {name: _digest(restored_media / name) for name in names if (restored_media / name).is_file()} == \
            {name: _digest(uploads / name) for name in names}
    finally:
        _run("dropdb", "--if-exists", copy)


def _archive_named(command, archive):
    """The README's command with its dated archive name (`media-$(date +%F).tar.gz`, or a date
    written out) replaced by `archive`."""
    named, count = re.subn(r"media-(\$\(date \+%F\)|[\d-]+)\.tar\.gz", str(archive), command)
    assert count == 1, command
    return named


def _shell(command, **env):
    done = subprocess.run(["bash", "-c", command], env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, f"{command}: {done.stderr}"
