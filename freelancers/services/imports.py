"""Importing freelancers from CSV: `freelancer_import_preview` reads and checks the file and
stores the result (nothing imported); `freelancer_import_confirm` starts the import — in the
request for a small file, by a Celery task for one over ASYNC_ROWS — and
`freelancer_import_run` does it all or nothing.

The run checks the rows again in chunks, against the workspace as it is now (an email may have
been taken since the preview: one query for the whole file, then no query per row), writing its
progress after each chunk so the page can show it;
then one transaction inserts every freelancer with its event and rate history, and marks the
import done. Any problem then marks it failed with the rows' errors, and nothing is imported.
The mark is a conditional UPDATE in that same transaction, so a redelivered task imports once."""

import logging
from datetime import timedelta

from celery import current_app
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..csv_import import parse
from ..errors import TransitionError
from ..models import (
    EventKind,
    Freelancer,
    FreelancerEvent,
    FreelancerImport,
    FreelancerStatus,
    ImportStatus,
    RateChange,
    RateUnit,
)
from ..money import to_minor
from .freelancer import freelancer_validate, normalise_skills

log = logging.getLogger(__name__)

ASYNC_ROWS = 500
CHUNK = 250
# Rows per INSERT (PostgreSQL gets one array per column, whatever the count).
INSERT_BATCH = 2000
# A queued import whose worker has not reported any progress for this long is queued again when
# someone looks at it (the broker was down at confirmation, the worker died). Running twice is
# harmless: the insert and the "done" mark commit together, once.
STALE_AFTER = timedelta(minutes=2)
RUN_TASK = "freelancers.tasks.freelancer_import_run"
UNIT_ALIASES = {"h": "hour", "hr": "hour", "hourly": "hour", "perhour": "hour", "d": "day", "daily": "day",
                "perday": "day", "fixed": "project", "perproject": "project", "monthly": "month",
                "permonth": "month", "retainer": "month"}
FIELD_COLUMNS = {"rate_amount": "rate", "timezone": "timezone", "__all__": "row"}


def _unit(text):
    key = "".join(text.lower().split()).replace("/", "per").replace("-", "")
    return UNIT_ALIASES.get(key, key) or RateUnit.HOUR


def _freelancer(workspace, row):
    """An unsaved Freelancer from a parsed row, or ValidationError naming the columns."""
    currency = (row.get("currency") or workspace.currency).strip().upper()
    rate_text = (row.get("rate") or "").replace(" ", "")
    if rate_text.count(",") == 1 and "." not in rate_text:
        rate_text = rate_text.replace(",", ".")  # 45,50 from a European spreadsheet
    try:
        rate = to_minor(rate_text.replace(",", ""), currency) if rate_text else None
    except ValueError:
        raise ValidationError({"rate": f"“{row['rate']}” is not an amount."}) from None
    freelancer = Freelancer(
        workspace=workspace, name=row.get("name", ""), email=(row.get("email") or "").lower(),
        headline=row.get("headline", "")[:200], skills=normalise_skills(row.get("skills", "")),
        timezone=row.get("timezone") or "UTC", country=row.get("country", ""), rate_amount=rate,
        rate_unit=_unit(row.get("rate_unit", "")), currency=currency, notes=row.get("notes", ""),
        status=FreelancerStatus.PROSPECT,
    )
    freelancer_validate(freelancer)
    return freelancer


def _taken(workspace, rows):
    """The emails of `rows` already in the workspace's pool: one query for the whole file."""
    emails = {(r.get("email") or "").strip().lower() for r in rows}
    return set(Freelancer.objects.filter(workspace=workspace, email__in=emails).values_list("email", flat=True))


def _check(workspace, rows, taken=None, seen=None):
    """([Freelancer], [error]) for `rows`: each checked alone (no query), and its email against
    the workspace (`taken`, read here when not given) and the rows before it (`seen`: email →
    line, carried from chunk to chunk)."""
    taken = _taken(workspace, rows) if taken is None else taken
    seen = {} if seen is None else seen
    built, errors = [], []
    for row in rows:
        line = row["line"]
        try:
            freelancer = _freelancer(workspace, row)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.extend({"line": line, "field": FIELD_COLUMNS.get(name, name), "message": m} for m in messages)
            continue
        if freelancer.email in taken:
            errors.append({"line": line, "field": "email",
                           "message": f"{freelancer.email} is already in your talent pool."})
        elif freelancer.email in seen:
            errors.append({"line": line, "field": "email",
                           "message": f"{freelancer.email} is also on line {seen[freelancer.email]}."})
        else:
            seen[freelancer.email] = line
            built.append(freelancer)
    return built, errors


def freelancer_import_preview(*, workspace, actor, uploaded_file):
    """Read and check an uploaded CSV; the stored import lists every bad row by its line.
    Nothing is imported."""
    data = uploaded_file.read()
    parsed = parse(data)
    errors = list(parsed.errors)
    if parsed.rows:
        _built, row_errors = _check(workspace, parsed.rows)
        errors.extend(row_errors)
    return FreelancerImport.objects.create(
        workspace=workspace, created_by=actor, filename=(getattr(uploaded_file, "name", "") or "")[:255],
        total_rows=len(parsed.rows), rows=parsed.rows, errors=sorted(errors, key=lambda e: e["line"]),
    )


def freelancer_import_confirm(*, job, actor):
    """Start a previewed import with no errors: run it now when small, else queue it."""
    if job.errors:
        raise ValidationError({"file": "Fix the rows listed and upload the file again: nothing was imported."})
    claimed = FreelancerImport.objects.filter(pk=job.pk, status=ImportStatus.PREVIEWED).update(
        status=ImportStatus.IMPORTING, started_at=timezone.now())
    if not claimed:
        raise TransitionError("This import was already confirmed.")
    if job.total_rows > ASYNC_ROWS:
        transaction.on_commit(lambda: _enqueue(job.pk))
    else:
        freelancer_import_run(import_id=job.pk)
    job.refresh_from_db()
    return job


def _enqueue(import_id):
    try:
        current_app.tasks[RUN_TASK].delay(import_id)
    except Exception:  # broker down: `freelancer_import_nudge` queues it again when it is looked at
        log.warning("Could not enqueue import %s", import_id, exc_info=True)


def freelancer_import_nudge(*, job, now=None):
    """Queue a large import again when nothing has moved for STALE_AFTER. Returns True if queued."""
    now = now or timezone.now()
    stale = FreelancerImport.objects.filter(pk=job.pk, status=ImportStatus.IMPORTING, processed_rows=0,
                                            started_at__lt=now - STALE_AFTER)
    if job.total_rows <= ASYNC_ROWS or not stale.update(started_at=now):
        return False
    _enqueue(job.pk)
    return True


def _fail(job, errors):
    FreelancerImport.objects.filter(pk=job.pk, status=ImportStatus.IMPORTING).update(
        status=ImportStatus.FAILED, errors=errors, finished_at=timezone.now())


def freelancer_import_run(*, import_id):
    """Check the rows again in chunks (progress written after each), then insert them all in
    one transaction, or none."""
    job = FreelancerImport.objects.select_related("workspace").filter(pk=import_id).first()
    if job is None or job.status != ImportStatus.IMPORTING:
        return
    built, errors, seen = [], [], {}
    taken = _taken(job.workspace, job.rows)
    for start in range(0, len(job.rows), CHUNK):
        chunk_built, chunk_errors = _check(job.workspace, job.rows[start:start + CHUNK], taken, seen)
        built.extend(chunk_built)
        errors.extend(chunk_errors)
        FreelancerImport.objects.filter(pk=job.pk).update(processed_rows=min(start + CHUNK, len(job.rows)))
    if errors:
        return _fail(job, errors)
    try:
        _insert(job, built)
    except IntegrityError:  # someone added one of these emails during the run
        log.warning("Import %s lost a race on an email", job.pk, exc_info=True)
        _fail(job, [{"line": 0, "field": "email", "message": "A freelancer with one of these emails was added "
                                                              "while the import ran. Upload the file again."}])


@transaction.atomic
def _insert(job, freelancers):
    done = FreelancerImport.objects.filter(pk=job.pk, status=ImportStatus.IMPORTING).update(
        status=ImportStatus.DONE, processed_rows=job.total_rows, imported_rows=len(freelancers),
        finished_at=timezone.now())
    if not done:
        return
    now = timezone.now()
    for f in freelancers:
        f.status_changed_at = f.created_at = now
    created = Freelancer.objects.bulk_create(freelancers, batch_size=INSERT_BATCH)
    actor = job.created_by_id
    FreelancerEvent.objects.bulk_create(
        [FreelancerEvent(freelancer=f, kind=EventKind.CREATED, to_status=f.status, actor_id=actor,
                         reason="Imported from CSV") for f in created], batch_size=INSERT_BATCH)
    RateChange.objects.bulk_create(
        [RateChange(freelancer=f, rate_amount=f.rate_amount, rate_unit=f.rate_unit, currency=f.currency,
                    changed_by_id=actor) for f in created if f.rate_amount is not None], batch_size=INSERT_BATCH)
