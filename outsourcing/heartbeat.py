"""Is any worker consuming? The answer /healthz/ and the dashboard give.

A worker records a heartbeat (a `WorkerHeartbeat` row per host) whenever it finishes a task, at
most once per WORKER_HEARTBEAT_SECONDS per process; an idle worker sends itself a ping task that
often (outsourcing/worker_steps.py), so the row also moves when there is nothing else to do. A
row therefore stays fresh only while messages really travel broker → worker → database: a worker
that died, or one alive but no longer consuming, lets it go stale. The row is in the database
because the broker may be what is down when someone asks.
"""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from .models import WorkerHeartbeat

# A host that has not been heard of for this long is forgotten (containers get new names).
FORGET_AFTER = timedelta(days=7)

_last_recorded = {"at": float("-inf")}


def heartbeat_record(*, hostname, now=None):
    """Note that the worker `hostname` is consuming, now: one upsert (and forget long-gone hosts)."""
    now = now or timezone.now()
    WorkerHeartbeat.objects.bulk_create(
        [WorkerHeartbeat(hostname=hostname[:255], seen_at=now)],
        update_conflicts=True, unique_fields=["hostname"], update_fields=["seen_at"],
    )
    WorkerHeartbeat.objects.filter(seen_at__lt=now - FORGET_AFTER).delete()


def heartbeat_task_done(*, hostname):
    """After any task on a worker: record the heartbeat unless this process did so within the
    heartbeat interval (a busy worker then writes a row every interval, not after each task)."""
    clock = time.monotonic()
    if clock - _last_recorded["at"] < settings.WORKER_HEARTBEAT_SECONDS:
        return False
    _last_recorded["at"] = clock
    heartbeat_record(hostname=hostname)
    return True


@dataclass(frozen=True)
class WorkerStatus:
    ok: bool
    hostname: str | None
    seen_at: datetime | None
    stale_after: timedelta

    @property
    def problem(self):
        """What is wrong, in words, or "" when a worker consumes."""
        if self.ok:
            return ""
        if self.seen_at is None:
            return "no worker has reported consuming yet"
        seconds = int((timezone.now() - self.seen_at).total_seconds())
        return f"no worker has consumed for {seconds} s (last: {self.hostname})"


_UNREAD = object()


def worker_status(*, now=None, latest=_UNREAD):
    """Whether some worker consumed within WORKER_HEARTBEAT_STALE_SECONDS (`latest`: the newest
    heartbeat, or None, when the caller read it already)."""
    now = now or timezone.now()
    stale_after = timedelta(seconds=settings.WORKER_HEARTBEAT_STALE_SECONDS)
    if latest is _UNREAD:
        latest = WorkerHeartbeat.objects.order_by("-seen_at").first()
    if latest is None:
        return WorkerStatus(ok=False, hostname=None, seen_at=None, stale_after=stale_after)
    return WorkerStatus(ok=latest.seen_at >= now - stale_after, hostname=latest.hostname,
                        seen_at=latest.seen_at, stale_after=stale_after)
