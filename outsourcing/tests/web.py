"""A real web process for the process tests: gunicorn (sync workers) on a free loopback port with
the environment a test gives it (the test database, a broker of the test's own…), and a plain
HTTP client that signs in as a user by a session cookie made in the test process."""

import http.client
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from .brokers import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


class Gunicorn:
    def __init__(self, env, workdir, workers=2):
        self.env, self.workers = env, workers
        self.port = free_port()
        self.log_path = workdir / f"gunicorn-{uuid.uuid4().hex[:8]}.log"
        self.proc = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=60):
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(
                [str(BIN / "gunicorn"), "outsourcing.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
                 "--workers", str(self.workers), "--timeout", "60"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"gunicorn exited with {self.proc.returncode}:\n{self.log()[-4000:]}")
            if get(self.url, "/accounts/login/")[0] == 200:
                return self
            time.sleep(0.2)
        self.stop()
        pytest.fail(f"gunicorn did not answer within {timeout}s:\n{self.log()[-4000:]}")

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        except ProcessLookupError:
            pass


def session_cookie(user):
    """A Cookie header signing `user` in (the session row is in the shared test database)."""
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def request(base, method, path, *, headers=None, body=None, timeout=30):
    """(status, body text) of one request; status 0 when no answer came (refused, timed out)."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        conn.request(method, path, body=body, headers={"Host": "localhost", **(headers or {})})
        response = conn.getresponse()
        return response.status, response.read().decode(errors="replace")
    except (OSError, http.client.HTTPException) as exc:
        return 0, repr(exc)
    finally:
        conn.close()


def get(base, path, **kwargs):
    return request(base, "GET", path, **kwargs)


def start_all(*starts):
    """Call each of `starts` (a process's start) at once, in threads, and return what each
    returned, in order: processes that each take seconds to get ready do so side by side."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=len(starts)) as pool:
        futures = [pool.submit(start) for start in starts]
        return [future.result() for future in futures]
