"""The freelancer CSV import benchmark (`manage.py bench_import`): a file of N freelancers as a
spreadsheet saves it (reproducible from a seed: commas, a byte-order mark, headers as people
write them, rates with a decimal comma or point, units and currencies mixed), uploaded into a
workspace of its own (`bench-import`) whose talent pool already holds `existing` freelancers, so
the duplicate check has something to look through. The preview runs in this process as the
upload's request would; the confirmed import, over `ASYNC_ROWS`, goes to a Celery worker as in
production, and the figure is the wall time from confirmation until the worker marked it done.

Each run first empties the workspace's pool and imports, so it can be repeated on one database.
"""

import io
import random
import time
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.csv_export import CSV_MEDIA_TYPE, SafeWriter
from accounts.models import Membership, Role, User, Workspace
from freelancers.models import Freelancer, FreelancerImport, FreelancerStatus, ImportStatus
from freelancers.services import imports

from .data import WORDS, ZONES

SLUG = "bench-import"
OWNER_EMAIL = "bench-import-owner@bench.example"
HEADER = ["Full name", "E-mail", "Job title", "Skills", "Time zone", "Country", "Hourly rate", "Unit", "Currency",
          "Notes"]
COUNTRIES = ["PT", "US", "PH", "DE", "BR", "IN", "AR", "PL", "NG", "ES"]
UNITS = ["hour", "per hour", "day", "project", "month"]
CURRENCIES = ["USD", "EUR", "GBP", ""]


@dataclass
class Outcome:
    rows: int
    existing: int
    preview_seconds: float = 0.0
    preview_queries: int = 0
    errors: int = 0
    run_seconds: float = 0.0  # confirmation → done: the hand-off to the worker, its check and insert
    status: str = ""
    imported: int = 0

    @property
    def seconds(self):
        return self.preview_seconds + self.run_seconds


def csv_bytes(rows, *, seed=1):
    """A spreadsheet's "Save as CSV" of `rows` new freelancers (UTF-8 with a BOM)."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = SafeWriter(out)  # the project's one CSV writer (no cell here looks like a formula)
    writer.writerow(HEADER)
    for n in range(rows):
        first = rng.choice(["Ana", "Bruno", "Chioma", "Dana", "Emil", "Farah", "Goran", "Hana", "Ivo", "Jun"])
        rate = rng.randint(1500, 15000)
        writer.writerow([
            f"{first} Import{n}", f"{first.lower()}.import{n}@bench.example", " ".join(rng.sample(WORDS, 2)).title(),
            ", ".join(rng.sample(WORDS, rng.randint(1, 4))), rng.choice(ZONES), rng.choice(COUNTRIES),
            f"{rate // 100},{rate % 100:02d}" if n % 3 == 0 else f"{rate / 100:.2f}", rng.choice(UNITS),
            rng.choice(CURRENCIES), "Found through the bench." if n % 5 == 0 else "",
        ])
    return b"\xef\xbb\xbf" + out.getvalue().encode()


def prepare(existing):
    """The `bench-import` workspace and its owner, its pool emptied and refilled with `existing`
    freelancers (none of them in the file). Returns (workspace, owner)."""
    with transaction.atomic():
        workspace, _ = Workspace.objects.get_or_create(slug=SLUG, defaults={"name": "Bench import",
                                                                           "currency": "USD"})
        owner, created = User.objects.get_or_create(email=OWNER_EMAIL, defaults={"full_name": "Import Owner"})
        if created:
            owner.set_unusable_password()
            owner.save(update_fields=["password"])
        Membership.objects.get_or_create(user=owner, workspace=workspace, defaults={"role": Role.OWNER})
        FreelancerImport.objects.filter(workspace=workspace).delete()
        Freelancer.objects.filter(workspace=workspace).delete()
        now = timezone.now()
        Freelancer.objects.bulk_create([
            Freelancer(workspace=workspace, name=f"Already Here {n}", email=f"already.{n}@bench.example",
                       status=FreelancerStatus.APPROVED, timezone=ZONES[n % len(ZONES)], created_at=now,
                       status_changed_at=now)
            for n in range(existing)], batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE freelancers_freelancer")
    return workspace, owner


def preview(workspace, owner, data):
    """The upload's request: read and check the file, store the preview. (job, seconds, queries)"""
    upload = SimpleUploadedFile("freelancers.csv", data, content_type=CSV_MEDIA_TYPE)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        job = imports.freelancer_import_preview(workspace=workspace, actor=owner, uploaded_file=upload)
    return job, time.perf_counter() - started, len(queries)


def run(job, owner, *, timeout=600):
    """Confirm the previewed import (queued to the worker once committed) and wait until the
    worker has marked it done or failed. Returns (job, seconds from confirmation)."""
    started = time.perf_counter()
    imports.freelancer_import_confirm(job=job, actor=owner)
    while time.perf_counter() - started < timeout:
        job.refresh_from_db()
        if job.finished:
            return job, time.perf_counter() - started
        time.sleep(0.1)
    raise TimeoutError(f"The import was not done after {timeout} s (status {job.status}, "
                       f"{job.processed_rows:,} of {job.total_rows:,} rows checked); is the worker running?")


def measure(rows, existing, *, seed=1):
    """Prepare, preview and run one import of `rows`; the worker must be running."""
    workspace, owner = prepare(existing)
    outcome = Outcome(rows=rows, existing=existing)
    job, outcome.preview_seconds, outcome.preview_queries = preview(workspace, owner, csv_bytes(rows, seed=seed))
    outcome.errors = len(job.errors)
    if job.errors:
        outcome.status = job.status
        return outcome
    job, outcome.run_seconds = run(job, owner)
    outcome.status, outcome.imported = job.status, job.imported_rows
    return outcome


def line(o):
    return (f"{o.rows:,} rows into a pool of {o.existing:,}: preview {o.preview_seconds:.1f} s "
            f"({o.preview_queries} queries, {o.errors} rows refused), import by the worker {o.run_seconds:.1f} s, "
            f"{o.seconds:.1f} s in all; {o.status}, "
            f"{o.imported:,} imported")


def is_done(o):
    return o.status == ImportStatus.DONE and o.imported == o.rows and not o.errors
