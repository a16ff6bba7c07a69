"""The stack under the benchmark: gunicorn (2 sync workers, DEBUG off, as in production) and a
Celery worker, started as child processes on this database and broker, and their memory."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def production_env(port):
    env = dict(os.environ)
    env.update({
        # This process's key, so the sessions it opens for the load generator are valid there.
        "DEBUG": "0", "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost", "SITE_URL": f"http://127.0.0.1:{port}",
        "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0",
        "EMAIL_URL": "dummymail://", "API_TOKEN_THROTTLE": "1000000/min",
    })
    if not env.get("FERNET_KEYS"):
        from cryptography.fernet import Fernet
        env["FERNET_KEYS"] = Fernet.generate_key().decode()
    return env


@contextmanager
def stack(port, log_dir, **settings_env):
    """gunicorn on 127.0.0.1:`port` and one Celery worker (`settings_env`: environment variables
    of their own); yields their process ids."""
    env = {**production_env(port), **settings_env}
    log_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(BIN / "python"), "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env,
                   check=True)
    web_log = open(log_dir / "bench-gunicorn.log", "w")  # noqa: SIM115 (closed below)
    worker_log = open(log_dir / "bench-worker.log", "w")  # noqa: SIM115
    web = subprocess.Popen([str(BIN / "gunicorn"), "outsourcing.wsgi:application", "--bind", f"127.0.0.1:{port}",
                            "--workers", "2", "--access-logfile", "/dev/null"], cwd=ROOT, env=env,
                           stdout=web_log, stderr=subprocess.STDOUT)
    worker = _start_worker(env, worker_log)
    try:
        _wait_up(f"http://127.0.0.1:{port}/healthz/")  # 200 once the worker's heartbeat is in
        yield {"web": web.pid, "worker": worker.pid}
    finally:
        for proc in (web, worker):
            proc.send_signal(signal.SIGTERM)
        for proc in (web, worker):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        web_log.close()
        worker_log.close()


def _start_worker(env, log):
    return subprocess.Popen([str(BIN / "celery"), "-A", "outsourcing", "worker", "--concurrency", "2",
                             "--loglevel", "WARNING"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


@contextmanager
def worker(log_dir, seconds=90):
    """One Celery worker alone (production settings, this database and broker), answering
    pings; yields its process id."""
    from outsourcing.celery import app

    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / "bench-worker.log", "w") as log:
        proc = _start_worker(production_env(0), log)
        try:
            deadline = time.monotonic() + seconds
            while not app.control.ping(timeout=1):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"The Celery worker did not answer within {seconds} s (see {log.name}).")
            yield proc.pid
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def _wait_up(url, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"The server did not answer {url} within {seconds} s.")


def rss_mb(pid):
    """Resident memory of the largest process in `pid`'s tree (a gunicorn or Celery worker, not
    its master), in MB."""
    pids = [pid, *_children(pid)]
    sizes = []
    for p in pids:
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return max(sizes) if sizes else None


def cpu_seconds(pid):
    """CPU time (user + system) used so far by `pid` and its descendants: the work a measurement
    cost the web or worker processes, which a busy machine does not inflate the way it inflates
    the wall time."""
    ticks = 0
    for p in (pid, *_children(pid)):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return ticks / os.sysconf("SC_CLK_TCK")


def _children(pid):
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    found = [int(k) for k in kids]
    for kid in list(found):
        found.extend(_children(kid))
    return found


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "unknown CPU")
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    return f"{os.cpu_count()} cores ({cpu}), {mem_kb / 1024 / 1024:.0f} GiB RAM"


def load():
    """The machine's load average when a measurement starts: on a shared machine the same code
    measures slower when others are busy, and the figures say so."""
    one, five, _ = os.getloadavg()
    return f"Load average at the start: {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores."
