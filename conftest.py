"""Shared test set-up: service markers, the cast (owner, teammate, outsider), Chromium.

Tests marked `postgres`, `redis` or `browser` skip with a stated reason when their service is
absent. `.ci/run` sets REQUIRE_SERVICES=1, which turns any such skip into a failure, so CI
can never report a skipped check as passing.
"""

import os
import shutil
import socket
import uuid
from urllib.parse import urlparse

import pytest

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls from
# there unless told it is safe (it is: the tests are single-threaded).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def _redis_reachable():
    url = os.environ.get("REDIS_URL")
    if not url:
        return False
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def _broker_reachable():
    """The broker CELERY_BROKER_URL names, when it names one (CI's RabbitMQ pass), answers."""
    url = os.environ.get("CELERY_BROKER_URL")
    if not url or not url.startswith(("amqp", "pyamqp")):
        return True
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 5672), timeout=1):
            return True
    except OSError:
        return False


def _missing_service(item):
    from django.conf import settings

    is_postgres = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    if item.get_closest_marker("postgres") and not is_postgres:
        return "needs PostgreSQL: set DATABASE_URL=postgres://… (CI does)"
    if item.get_closest_marker("redis") and not _redis_reachable():
        return "needs Redis: set REDIS_URL=redis://… to a running server (CI does)"
    if item.get_closest_marker("redis") and not _broker_reachable():
        return "needs the broker CELERY_BROKER_URL names to be running (CI starts RabbitMQ)"
    if item.get_closest_marker("browser") and not shutil.which(CHROMIUM):
        return f"needs Chromium at {CHROMIUM}: apt-get install -y chromium (CI does)"
    return None


def pytest_collection_modifyitems(config, items):
    require = os.environ.get("REQUIRE_SERVICES") == "1"
    for item in items:
        reason = _missing_service(item)
        if reason is None:
            continue
        if require:
            item.missing_service = reason
            item.fixturenames.insert(0, "_service_required")
        else:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def _service_required(request):
    pytest.fail(f"REQUIRE_SERVICES=1 but this test {request.node.missing_service}")


def service_missing(reason):
    """The one way a fixture or test stops for a service the markers cannot see (a binary on
    PATH, say): a failure under REQUIRE_SERVICES=1, like a marked test's, else a skip saying
    what to install. `reason` reads after "this test": "needs …"."""
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"REQUIRE_SERVICES=1 but this test {reason}")
    pytest.skip(reason)


def pytest_terminal_summary(terminalreporter):
    skipped = len(terminalreporter.stats.get("skipped", []))
    terminalreporter.write_line(
        f"service-dependent tests skipped: {skipped}"
        + ("" if skipped == 0 else " (set DATABASE_URL and REDIS_URL and install chromium to run them)")
    )


# --- Playwright against Debian's Chromium ------------------------------------------------------
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


# --- The cast -----------------------------------------------------------------------------------
@pytest.fixture
def owner(db):
    from accounts.tests.factories import UserFactory

    return UserFactory(email="owner@example.com", full_name="Olivia Owner")


@pytest.fixture
def workspace(owner):
    from accounts.models import Membership, Role
    from accounts.tests.factories import WorkspaceFactory

    ws = WorkspaceFactory(name="Acme Studio")
    Membership.objects.create(user=owner, workspace=ws, role=Role.OWNER)
    return ws


@pytest.fixture
def manager(workspace):
    from accounts.models import Membership, Role
    from accounts.tests.factories import UserFactory

    user = UserFactory(email="manager@example.com", full_name="Mia Manager")
    Membership.objects.create(user=user, workspace=workspace, role=Role.MANAGER)
    return user


@pytest.fixture
def outsider(db):
    """The owner of another workspace."""
    from accounts.models import Membership, Role
    from accounts.tests.factories import UserFactory, WorkspaceFactory

    user = UserFactory(email="outsider@example.com", full_name="Otto Outsider")
    ws = WorkspaceFactory(name="Other Co")
    Membership.objects.create(user=user, workspace=ws, role=Role.OWNER)
    return user


@pytest.fixture
def owner_client(client, owner, workspace):
    client.force_login(owner)
    return client


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def outsider_client(client, outsider):
    client.force_login(outsider)
    return client


# --- Celery -------------------------------------------------------------------------------------
@pytest.fixture
def celery_eager():
    """Run tasks inline when enqueued (with `django_capture_on_commit_callbacks(execute=True)`
    or a transactional test, an email a view queues lands in `mailoutbox` right away)."""
    from outsourcing.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, False
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


# --- An SMTP sink on loopback (aiosmtpd) --------------------------------------------------------
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def _smtp_sink_server():
    from aiosmtpd.controller import Controller

    from outsourcing.tests.smtp import SmtpSink

    sink = SmtpSink()
    sink.port = free_port()
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    yield sink
    controller.stop()


@pytest.fixture
def smtp_sink(_smtp_sink_server):
    """A real SMTP server on a free loopback port, emptied for each test."""
    _smtp_sink_server.clear()
    yield _smtp_sink_server
    _smtp_sink_server.clear()


# --- Real Celery processes (worker, beat) against Redis -----------------------------------------
class CeleryProcess:
    def __init__(self, kind, env, workdir, ready_marker, extra_args=()):
        self.kind, self.env, self.workdir = kind, env, workdir
        self.ready_marker = ready_marker
        self.extra_args = list(extra_args)
        # A file per process: a session-long worker and a test's own must not share one.
        self.log_path = workdir / f"celery-{kind}-{uuid.uuid4().hex[:8]}.log"
        self.proc = None

    def start(self, timeout=60.0):
        import subprocess
        import sys
        import time
        from pathlib import Path

        cmd = [sys.executable, "-m", "celery", "-A", "outsourcing", self.kind, "--loglevel=INFO",
               *self.extra_args]
        with open(self.log_path, "w") as log:
            # A session of its own, so stopping it reaches the prefork children too.
            self.proc = subprocess.Popen(cmd, cwd=Path(__file__).resolve().parent, env=self.env,
                                         stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"celery {self.kind} exited with {self.proc.returncode}:\n{self.log()}")
            if self.ready_marker in self.log():
                return self
            time.sleep(0.1)
        self.stop()
        pytest.fail(f"celery {self.kind} did not get ready within {timeout}s:\n{self.log()}")

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self):
        import signal
        import subprocess

        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)  # warm shutdown
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        except ProcessLookupError:
            pass


def _test_database_url():
    from urllib.parse import quote

    from django.conf import settings

    db = settings.DATABASES["default"]
    user = quote(db.get("USER") or "")
    password = quote(db.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture(scope="session")
def celery_process_env(django_db_setup, _smtp_sink_server, tmp_path_factory):
    """The environment a worker or beat subprocess runs with: the pytest-django test database,
    this run's Redis, the SMTP sink for mail. Needs PostgreSQL and Redis (mark the test
    `postgres` and `redis`): a subprocess cannot see SQLite's in-memory test database."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        service_missing("needs PostgreSQL (DATABASE_URL): a real Celery worker shares the test database")
    if not _redis_reachable():
        service_missing("needs Redis (REDIS_URL) for a real Celery worker")
    workdir = tmp_path_factory.mktemp("celery")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "outsourcing.test_settings",
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "EMAIL_URL": _smtp_sink_server.url,
        "VAR_DIR": str(workdir / "var"),
        "SITE_URL": settings.SITE_URL,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        # Missed-message emails carry a Reply-To on this domain (engagements' conversation tests).
        "REPLY_EMAIL_DOMAIN": "reply.example.com",
        "PYTHONUNBUFFERED": "1",
        # A worker writes its heartbeat row into the shared test database; a session-long worker
        # pinging every 30 s would make a test about a dead worker's stale heartbeat flaky. A
        # test about the heartbeat starts its own worker with a short interval.
        "WORKER_HEARTBEAT_SECONDS": "3600",
        # Webhook tests deliver to a receiver on loopback (notifications/tests/webhooks/).
        "WEBHOOKS_ALLOW_PRIVATE_TARGETS": "1",
        "WEBHOOKS_ALLOW_HTTP": "1",
    }
    return env, workdir


@pytest.fixture(scope="session")
def start_celery(celery_process_env):
    """Start `celery worker` or `celery beat` as a subprocess; all are stopped at the end of
    the session. E.g. `start_celery("beat", CELERY_SWEEP_SECONDS="1")`."""
    import uuid

    base_env, workdir = celery_process_env
    started = []

    def start(kind, **extra_env):
        env = {**base_env, **extra_env}
        if kind == "worker":
            args = ["--pool=prefork", "--concurrency=2", "--purge", "--without-gossip",
                    "--without-mingle", "--without-heartbeat", "-n", f"test-{uuid.uuid4().hex[:8]}@%h"]
            marker = " ready."
        elif kind == "beat":
            args = ["--schedule", str(workdir / f"beat-{uuid.uuid4().hex[:8]}")]
            marker = "beat: Starting"
        else:
            raise ValueError(kind)
        process = CeleryProcess(kind, env, workdir, marker, args)
        started.append(process)
        return process.start()

    yield start
    for process in reversed(started):
        process.stop()


@pytest.fixture(scope="session")
def _celery_worker_session(start_celery):
    return start_celery("worker")


@pytest.fixture
def celery_worker_process(_celery_worker_session, transactional_db, smtp_sink):
    """A real `celery -A outsourcing worker` (prefork, 2 processes) consuming this run's Redis,
    writing to the test database and sending mail to `smtp_sink`. Started once per session.
    Tests need committed rows, hence `transactional_db`."""
    if _celery_worker_session.proc.poll() is not None:
        pytest.fail(f"the Celery worker died:\n{_celery_worker_session.log()}")
    return _celery_worker_session


@pytest.fixture
def celery_beat_process(start_celery, celery_worker_process):
    """Celery beat (with a worker) sweeping every second; stopped after the test."""
    beat = start_celery("beat", CELERY_SWEEP_SECONDS="1")
    yield beat
    beat.stop()
