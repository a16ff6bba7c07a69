"""`make run`'s process runner (scripts/run-all) starts a worker that died again, says so, and
the new worker sends email. Driven as a user would: the local run on SQLite and the filesystem
broker in a folder of the test's own."""

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from urllib.request import urlopen

import pytest

from .brokers import free_port, wait_until

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def local_env(tmp_path):
    """What `make run` gives run-all (DEBUG, everything under VAR_DIR), and nothing of the test
    run's own environment (its database, broker or SMTP sink)."""
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", str(tmp_path)), "DEBUG": "1",
           "DJANGO_SETTINGS_MODULE": "outsourcing.settings", "VAR_DIR": str(tmp_path / "var"),
           "PORT": str(free_port()), "RESTART_DELAY": "1", "PYTHONUNBUFFERED": "1"}
    migrated = subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)
    assert migrated.returncode == 0, migrated.stderr
    return env


def _pids(output, name):
    return [int(pid) for pid in re.findall(rf"run-all: {name} started \(pid (\d+)\)", output)]


def test_run_all_starts_a_killed_worker_again_and_says_so(local_env, tmp_path):
    log_path = tmp_path / "run-all.log"
    with open(log_path, "w") as log:
        runner = subprocess.Popen(["scripts/run-all"], cwd=ROOT, env=local_env, stdout=log,
                                  stderr=subprocess.STDOUT, start_new_session=True)

    def output():
        return log_path.read_text(errors="replace")

    try:
        wait_until(lambda: "Outsourcing is running at" in output() and output().count(" ready.") >= 1, 90,
                   "run-all to start web, worker and beat")
        # Every demo login is printed: the owner's, the manager's and the freelancer's.
        for login in ("Owner login:", "Manager login:", "Freelancer login:"):
            assert login in output()
        [worker] = _pids(output(), "worker")

        os.kill(worker, signal.SIGKILL)

        wait_until(lambda: len(_pids(output(), "worker")) == 2 and output().count(" ready.") >= 2, 60,
                   "run-all to start the worker again")
        assert f"run-all: worker (pid {worker}) exited with status 137; restarting it in 1s" in output()
        assert runner.poll() is None  # web and beat carry on; nothing else was restarted
        assert len(_pids(output(), "web")) == len(_pids(output(), "beat")) == 1

        # The new worker consumes: an email queued now is written to var/mail/.
        queued = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c",
             "from notifications.services import notify\n"
             "notify(kind='password_reset', recipient_email='after.restart@example.com', dedupe_key='run-all',\n"
             "       context={'reset_url': 'https://example.com/r/'})"],
            cwd=ROOT, env=local_env, capture_output=True, text=True, timeout=120)
        assert queued.returncode == 0, queued.stderr
        mail = tmp_path / "var" / "mail"
        wait_until(lambda: mail.exists() and any("after.restart@example.com" in f.read_text(errors="replace")
                                                 for f in mail.iterdir()), 60, "the email in var/mail/")
        # And the local run's health check sees a worker consuming.
        with urlopen(f"http://127.0.0.1:{local_env['PORT']}/healthz/", timeout=10) as response:
            assert json.load(response) == {"status": "ok", "database": "ok", "broker": "ok", "worker": "ok"}
    finally:
        if runner.poll() is None:
            os.killpg(runner.pid, signal.SIGTERM)  # run-all's own Ctrl-C path: it stops all three
            try:
                runner.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(runner.pid, signal.SIGKILL)  # anything left in its process group
        except ProcessLookupError:
            pass
    assert "Stopping…" in output()
