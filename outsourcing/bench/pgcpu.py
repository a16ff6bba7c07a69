"""The CPU PostgreSQL spends for a measurement, read from /proc (the bench runs it on this
machine): its backends serving this database, the backends that ended during the measurement
(their CPU is counted to the postmaster when it reaps them, whatever database they served) and
the sessions opened on this database. A worker that opened a session per task paid for each
backend's start in processes the web and worker figures do not include (bench_money before its
seventh round: a session per email sent)."""

import os
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Snapshot:
    backends: dict  # pid → CPU ticks so far, for this database's backends other than ours
    ended: int  # CPU ticks of the postmaster's reaped children so far
    sessions: int  # sessions ever opened on this database (pg_stat_database)


def snapshot():
    """Where PostgreSQL's CPU stands; None when /proc cannot tell (a server elsewhere)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                       "AND pid <> pg_backend_pid() AND backend_type = 'client backend'")
        pids = [pid for pid, in cursor.fetchall()]
        cursor.execute("SELECT pg_backend_pid()")
        ours = cursor.fetchone()[0]
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        sessions = cursor.fetchone()[0]
    own = _stat(ours)
    if own is None:
        return None
    postmaster = _stat(int(own[1]))
    backends = {pid: int(fields[11]) + int(fields[12]) for pid in pids if (fields := _stat(pid)) is not None}
    return Snapshot(backends, int(postmaster[13]) + int(postmaster[14]) if postmaster else 0, sessions)


def spent(before, after):
    """(seconds of this database's backends, seconds of the backends that ended, sessions opened)
    between two snapshots."""
    alive = sum(ticks - before.backends.get(pid, 0) for pid, ticks in after.backends.items())
    return alive / TICKS, (after.ended - before.ended) / TICKS, after.sessions - before.sessions


def _stat(pid):
    """The fields of /proc/`pid`/stat after the command name (state is [0], ppid [1])."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
