"""PostgreSQL restarts under a running gunicorn and Celery worker: nobody restarts them, requests
fail during the outage at most and succeed once the database is back, and an email queued after
the restart is sent by the worker.

The database is a cluster of the test's own (initdb and pg_ctl from /usr/lib/postgresql/*/bin,
on a free port, holding a copy of the test database made with pg_dump), since restarting the
shared server would pull it from under every other test. initdb refuses to run as root: when
the tests run as root (CI), the cluster runs as the `postgres` user.
"""

import glob
import json
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import uuid
from datetime import UTC, datetime

import psycopg
import pytest
from django.db import connection

from api.services import token_create
from conftest import service_missing

from .brokers import free_port, wait_until
from .web import get, request, session_cookie, start_all

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


class PostgresCluster:
    """A throw-away cluster: trust authentication on 127.0.0.1, fsync off."""

    def __init__(self, bindir):
        self.bindir, self.port = bindir, free_port()
        self.base = tempfile.mkdtemp(prefix="outsourcing-pg-")
        self.data = os.path.join(self.base, "data")
        self.as_user = []
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.base, account.pw_uid, account.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def url(self, name):
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def _run(self, *args, timeout=120):
        result = subprocess.run([*self.as_user, os.path.join(self.bindir, args[0]), *args[1:]], cwd=self.base,
                                capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            pytest.fail(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}\n{self.log()}")
        return result

    def init(self):
        self._run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        return self.start()

    def start(self):
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", self.data, "-o", options, "-l", os.path.join(self.base, "server.log"), "-w",
                  "start")
        return self

    def stop(self, mode="fast"):
        self._run("pg_ctl", "-D", self.data, "-m", mode, "-w", "stop")

    def log(self):
        try:
            with open(os.path.join(self.base, "server.log")) as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def remove(self):
        if os.path.exists(os.path.join(self.data, "postmaster.pid")):
            subprocess.run([*self.as_user, os.path.join(self.bindir, "pg_ctl"), "-D", self.data, "-m", "immediate",
                            "-w", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(self.base, ignore_errors=True)


def _bindir():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[-3]))
    if not found:
        service_missing("needs PostgreSQL's server binaries (initdb, pg_ctl: apt-get install postgresql)")
    if os.geteuid() == 0 and not shutil.which("runuser"):
        service_missing("needs runuser (util-linux) to run initdb as the postgres user")
    return os.path.dirname(found[-1])


@pytest.fixture
def own_postgres():
    cluster = PostgresCluster(_bindir()).init()
    yield cluster
    cluster.remove()


def _copy_test_database(cluster, name):
    """The test database as it is now (schema, triggers and rows), into `name` on the cluster."""
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    dump = subprocess.run(
        [os.path.join(cluster.bindir, "pg_dump"), "--no-owner", "--no-privileges", "-h", db.get("HOST") or "127.0.0.1",
         "-p", str(db.get("PORT") or 5432), "-U", db.get("USER") or "postgres", db["NAME"]],
        env=env, capture_output=True, check=True, timeout=120).stdout
    with psycopg.connect(cluster.url("postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run([os.path.join(cluster.bindir, "psql"), "-q", "-v", "ON_ERROR_STOP=1", cluster.url(name)],
                   input=dump, capture_output=True, check=True, timeout=120)


def test_web_and_worker_reconnect_after_a_postgres_restart_with_no_manual_step(
        own_postgres, own_redis, start_gunicorn, start_own_celery, transactional_db, smtp_sink, owner, workspace):
    token = token_create(user=owner, workspace_slug=workspace.slug)[1]
    cookie = session_cookie(owner)
    _copy_test_database(own_postgres, "outsourcing")
    # The worker writes its heartbeat to the database every second: that too must live through it.
    env = {"DATABASE_URL": own_postgres.url("outsourcing"), "REDIS_URL": own_redis.url,
           "CELERY_BROKER_URL": own_redis.url, "WORKER_HEARTBEAT_SECONDS": "1"}
    web, worker = start_all(lambda: start_gunicorn(**env), lambda: start_own_celery("worker", **env))
    prefix = f"pg-restart-{uuid.uuid4().hex[:6]}"
    api = {"Authorization": f"Token {token}", "Content-Type": "application/json"}

    def work(number):
        """An owner page, an API list, and a freelancer invited through the API (an email)."""
        email = f"{prefix}-{number}@example.net"
        answers = [get(web.url, "/freelancers/", headers={"Cookie": cookie})[0],
                   get(web.url, "/api/v1/freelancers/", headers=api)[0]]
        status, body = request(web.url, "POST", "/api/v1/freelancers/", headers=api,
                               body=json.dumps({"name": f"Freelancer {number}", "email": email}))
        answers.append(status)
        if status == 201:
            answers.append(request(web.url, "POST", "/api/v1/invitations/", headers=api,
                                   body=json.dumps({"freelancer": json.loads(body)["id"]}))[0])
        return answers, email

    # Every gunicorn worker and the Celery worker hold a connection to the database now.
    for number in range(4):
        answers, email = work(number)
        assert set(answers) <= {200, 201}, answers
    smtp_sink.wait_for(1, timeout=60, to=f"{prefix}-0@example.net")

    own_postgres.stop()
    during = [work(10 + n)[0] for n in range(2)]
    assert all(status not in (200, 201) for answers in during for status in answers[:1])
    time.sleep(2)  # the worker's heartbeat meets the database gone, more than once
    own_postgres.start()
    restarted_at = datetime.now(UTC)

    wait_until(lambda: get(web.url, "/api/v1/freelancers/", headers=api)[0] == 200, 30,
               "the web process to answer again")
    after = [work(20 + n) for n in range(4)]
    assert [answers for answers, _ in after if set(answers) - {200, 201}] == []
    for _, email in after:
        [message] = smtp_sink.wait_for(1, timeout=60, to=email)
    assert worker.proc.poll() is None, worker.log()[-4000:]
    assert web.proc.poll() is None
    wait_until(lambda: _last_heartbeat(own_postgres) > restarted_at, 30,
               "the worker's heartbeat to be written again after the restart")


def _last_heartbeat(cluster):
    with psycopg.connect(cluster.url("outsourcing")) as conn:
        return conn.execute("SELECT max(seen_at) FROM outsourcing_workerheartbeat").fetchone()[0]
