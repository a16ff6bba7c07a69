"""Brokers of a test's own, which the test may stop and start (never the shared ones).

`RedisServer` is a redis-server without persistence on a free loopback port: what is queued in
it when it stops is lost, as in a crash. `RabbitServer` is a RabbitMQ node of its own (its own
name, ports and data directory; a restart keeps its durable queues, as RabbitMQ does).
`SentinelServer` is a Redis Sentinel watching a RedisServer. `own_broker_kind()` says which one
a test should run against: RabbitMQ when CELERY_BROKER_URL names one (CI's second pass), else
Redis.
"""

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid

import pytest
from kombu import Connection

from conftest import service_missing


def wait_until(predicate, timeout, what, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


def assert_each_delivered_once(smtp_sink, addresses, *, worker, timeout=120):
    """Every address got its email at the SMTP sink, exactly once (with room for a duplicate
    left after the last arrives), and every notification to them is `sent`."""
    from notifications.models import Notification, NotificationStatus

    deadline = time.monotonic() + timeout
    while missing := [a for a in addresses if not smtp_sink.received(a)]:
        if worker.proc.poll() is not None:
            pytest.fail(f"the worker died (exit status {worker.proc.returncode}):\n{worker.log()[-6000:]}")
        if time.monotonic() > deadline:
            pytest.fail(f"{len(missing)} of {len(addresses)} emails never reached the SMTP sink: {missing[:5]}")
        time.sleep(0.5)
    time.sleep(3)  # beat keeps sweeping every second: room for a duplicate, had there been one
    counts = {a: len(smtp_sink.received(a)) for a in addresses}
    assert {a: n for a, n in counts.items() if n != 1} == {}
    statuses = set(Notification.objects.filter(recipient_email__in=addresses).values_list("status", flat=True))
    assert statuses == {NotificationStatus.SENT}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def own_broker_kind():
    url = os.environ.get("CELERY_BROKER_URL", "")
    return "rabbitmq" if url.startswith(("amqp", "pyamqp")) else "redis"


class _Server:
    """A server started in a process group of its own and stopped through that group, with
    the signal the test chooses. (RabbitMQ's launcher may exit while its node runs on: the
    group, not the launcher, says whether the server is still there.)"""

    proc = None

    def running(self):
        if self.proc is None:
            return False
        self.proc.poll()  # reap an exited launcher, so only live members count
        try:
            os.killpg(self.proc.pid, 0)
            return True
        except ProcessLookupError:
            return False

    def stop(self, sig=signal.SIGTERM, timeout=60):
        if not self.running():
            return
        os.killpg(self.proc.pid, sig)
        deadline = time.monotonic() + timeout
        while self.running():
            if time.monotonic() > deadline:
                os.killpg(self.proc.pid, signal.SIGKILL)
                deadline = time.monotonic() + 10
            time.sleep(0.1)

    def kill(self):
        self.stop(signal.SIGKILL)

    def _spawn(self, cmd, log_path, env=None, **popen):
        with open(log_path, "ab") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env,
                                         start_new_session=True, **popen)


class RedisServer(_Server):
    def __init__(self, workdir, port=None):
        self.workdir, self.port = workdir, port or free_port()

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self._spawn([shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1",
                     "--save", "", "--appendonly", "no", "--dir", str(self.workdir)],
                    self.workdir / f"redis-{self.port}.log")
        wait_until(lambda: port_open(self.port), 20, f"redis-server on port {self.port}")
        return self


class SentinelServer(_Server):
    """A Redis Sentinel on a free port watching `master` (a RedisServer) as `master_name`."""

    def __init__(self, workdir, master, master_name="outsourcing"):
        self.workdir, self.master, self.master_name = workdir, master, master_name
        self.port = free_port()

    @property
    def url(self):
        return f"sentinel://127.0.0.1:{self.port}/0"

    def start(self):
        config = self.workdir / f"sentinel-{self.port}.conf"
        config.write_text(
            f"port {self.port}\nbind 127.0.0.1\ndir {self.workdir}\n"
            f"sentinel monitor {self.master_name} 127.0.0.1 {self.master.port} 1\n"
        )
        self._spawn([shutil.which("redis-server"), str(config), "--sentinel"],
                    self.workdir / f"sentinel-{self.port}.log")
        wait_until(lambda: port_open(self.port), 20, f"redis sentinel on port {self.port}")
        return self


class RabbitServer(_Server):
    """A RabbitMQ node of the test's own. Its data directory is outside pytest's private temp
    folders because the server runs as the `rabbitmq` user."""

    def __init__(self):
        self.port, self.dist_port = free_port(), free_port()
        self.nodename = f"outsourcing-test-{uuid.uuid4().hex[:8]}@localhost"
        self.base = tempfile.mkdtemp(prefix="outsourcing-rabbit-")
        os.chmod(self.base, 0o777)  # noqa: S103 - a throw-away directory the server user must write
        plugins = os.path.join(self.base, "enabled_plugins")
        with open(plugins, "w") as f:
            f.write("[].\n")  # no management plugin: its fixed port would clash with the shared node
        os.chmod(plugins, 0o644)

    @property
    def url(self):
        return f"amqp://guest:guest@127.0.0.1:{self.port}//"

    def start(self, timeout=90):
        env = {
            **os.environ, "RABBITMQ_NODENAME": self.nodename, "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port), "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": f"{self.base}/mnesia", "RABBITMQ_LOG_BASE": f"{self.base}/log",
            "RABBITMQ_ENABLED_PLUGINS_FILE": f"{self.base}/enabled_plugins",
            "RABBITMQ_PID_FILE": f"{self.base}/pid", "RABBITMQ_CONFIG_FILE": f"{self.base}/rabbitmq",
        }
        self._spawn([self._launcher()], os.path.join(self.base, "server.log"), env=env, **self._as_rabbitmq(env))
        wait_until(self.accepts_connections, timeout, f"RabbitMQ node {self.nodename}", interval=0.5)
        return self

    @staticmethod
    def _launcher():
        # Debian's rabbitmq-server is a wrapper that `su`s to the rabbitmq user, which puts the
        # node in a session of its own, out of reach of ours; the script it wraps does not.
        wrapped = os.path.join(os.path.dirname(os.path.realpath(shutil.which("rabbitmq-server"))), "rabbitmq-server")
        return wrapped if os.path.isfile(wrapped) else shutil.which("rabbitmq-server")

    @staticmethod
    def _as_rabbitmq(env):
        """Run as the rabbitmq user (with its Erlang cookie) when root starts the node, as the
        wrapper would."""
        try:
            account = pwd.getpwnam("rabbitmq")
        except KeyError:
            return {}
        if os.geteuid() != 0:
            return {}
        env["HOME"] = account.pw_dir
        return {"user": account.pw_uid, "group": account.pw_gid, "cwd": account.pw_dir}

    def accepts_connections(self):
        if not port_open(self.port):
            return False
        try:
            with Connection(self.url, connect_timeout=2) as conn:
                conn.ensure_connection(max_retries=1)
            return True
        except Exception:
            return False

    def remove(self):
        self.stop(signal.SIGKILL)
        shutil.rmtree(self.base, ignore_errors=True)


def start_own_broker(kind, workdir):
    """A started broker of `kind` ("redis" or "rabbitmq"), or a skip saying what is missing."""
    binary = {"redis": "redis-server", "rabbitmq": "rabbitmq-server"}[kind]
    if not shutil.which(binary):
        reason = f"needs {binary} on PATH to run a broker of the test's own"
        service_missing(reason)  # a failure under CI (REQUIRE_SERVICES=1), a skip elsewhere
    return (RabbitServer() if kind == "rabbitmq" else RedisServer(workdir)).start()
