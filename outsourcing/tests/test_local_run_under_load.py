"""The local run under a crawler's load: `scripts/run-all` exactly as `make run` starts it (SQLite
in a fresh VAR_DIR with WAL and BEGIN IMMEDIATE, Celery's filesystem broker, web + worker + beat,
the demo workspace), with beat sweeping every second, while many clients at once sign up, sign
in and submit the forms that once answered "database is locked": a referee added and emailed, an
engagement's reminder settings, an access grant, do-not-hire marked and cleared.

Every answer must be a page or a redirect, never a 500, and the log must not show a lock
timeout. The clients are bounded by rounds, not by time; the sweeps must have run during them.
"""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = 40
ROUNDS = 3
OWNER = ("owner@demo.example", "demo-owner-2026")
LOCKED = "database is locked"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Forms(HTMLParser):
    """The fields of each POST form on a page, with the values a browser would send as is."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select, self._textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action") or "", "method": (a.get("method") or "get").lower(),
                          "fields": {}}
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form["fields"][a["name"]] = a.get("value") or "on"
            elif kind not in ("submit", "button", "file"):
                self._form["fields"][a["name"]] = a.get("value") or ""
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and ("selected" in a or self._select not in self._form["fields"]):
            self._form["fields"][self._select] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._form["fields"][self._textarea] = ""

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self._form is not None:
            if self._form["method"] == "post":
                self.forms.append(self._form)
            self._form = None


class Browser:
    """One visitor with cookies; records every answer it got."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  _NoRedirect())
        self.answers = []

    def _open(self, method, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, method=method,
                                         headers={"Referer": self.base + path})
        try:
            with self.opener.open(request, timeout=120) as response:
                status, text = response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read().decode(errors="replace")
        self.answers.append((method, path, status, text[:400] if status >= 500 else ""))
        return status, text

    def get(self, path):
        return self._open("GET", path)

    def post(self, path, data):
        token = next((c.value for c in self.jar if c.name == "csrftoken"), "")
        return self._open("POST", path, {**data, "csrfmiddlewaretoken": token})

    def form(self, path, action=None):
        """The fields of the page's POST form (the one posting to `action`, or the first)."""
        _, html = self.get(path)
        parser = _Forms()
        parser.feed(html)
        for form in parser.forms:
            if action is None or form["action"] == action:
                return dict(form["fields"])
        pytest.fail(f"No POST form{f' to {action}' if action else ''} on {path}")

    def sign_in(self, email, password):
        self.get("/accounts/login/")
        status, _ = self.post("/accounts/login/", {"username": email, "password": password})
        assert status == 302, f"sign-in as {email} answered {status}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    """`scripts/run-all` on a fresh SQLite database as `make run` starts it (static files collected
    and served compressed), sweeping every second: (base URL, log). Started once for this module:
    its tests only add rows of their own, and each start costs ~40 s (migrate, collectstatic)."""
    tmp_path = tmp_path_factory.mktemp("local_run")
    port = _free_port()
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", str(tmp_path)), "DEBUG": "1",
           "VAR_DIR": str(tmp_path / "var"), "HOST": "127.0.0.1", "PORT": str(port),
           "CELERY_SWEEP_SECONDS": "1", "PYTHONUNBUFFERED": "1", "STATIC_COMPRESSED": "1"}
    for step in (["migrate", "--no-input", "-v0"], ["collectstatic", "--no-input", "-v0"]):
        subprocess.run([sys.executable, "manage.py", *step], cwd=ROOT, env=env, check=True, timeout=600)
    log_path = tmp_path / "run.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(["bash", "scripts/run-all"], cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while "is running at" not in log_path.read_text(errors="replace"):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the local run did not start:\n{log_path.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", log_path
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=5)  # the Celery worker may take longer to say goodbye
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        except ProcessLookupError:
            pass


def _ids(browser, path, pattern):
    _, html = browser.get(path)
    return sorted({int(i) for i in re.findall(pattern, html)})


def _owner_rounds(base, freelancers, engagements, n):
    browser = Browser(base)
    browser.sign_in(*OWNER)
    for i in range(ROUNDS):
        freelancer = freelancers[(n + i) % len(freelancers)]
        engagement = engagements[(n + i) % len(engagements)]
        browser.post(f"/freelancers/{freelancer}/references/new/", {
            "name": f"Referee {n}-{i}", "email": f"referee-{n}-{i}@example.org",
            "relationship": "Former client", "company": "Acme", "send_now": "on"})
        reminders = f"/engagements/{engagement}/reminders/"
        browser.post(reminders, browser.form(reminders, action=""))
        browser.post(f"/engagements/{engagement}/access/", {
            "label": f"Staging {n}-{i}", "url": "https://staging.example.com", "username": "deploy",
            "secret": f"s3cret-{n}-{i}", "notes": "staging only"})
        browser.post(f"/freelancers/{freelancer}/do-not-hire/", {"reason": f"Load test {n}-{i}"})
        browser.post(f"/freelancers/{freelancer}/do-not-hire/", {"action": "clear", "reason": "Cleared"})
    return browser.answers


def _newcomer_rounds(base, n):
    """Sign-ups: each hashes a password (PBKDF2, the real settings) and creates a workspace."""
    browser = Browser(base)
    for i in range(ROUNDS):
        browser.get("/accounts/signup/")
        browser.post("/accounts/signup/", {
            "full_name": f"Newcomer {n}-{i}", "email": f"newcomer-{n}-{i}@example.org",
            "password": "a-long-passphrase-2026", "workspace_name": f"Shop {n}-{i}", "timezone": "UTC",
            "currency": "USD"})
    return browser.answers


def _sweeps_done(log):
    return len(re.findall(r"Task engagements\.tasks\.\w+\[[^\]]+\] succeeded", log))


def test_the_local_run_answers_every_write_under_concurrent_clients_while_sweeps_run(local_run):
    base, log_path = local_run
    scout = Browser(base)
    scout.sign_in(*OWNER)
    freelancers = _ids(scout, "/freelancers/", r'href="/freelancers/(\d+)/"')
    engagements = _ids(scout, "/engagements/?status=active", r'href="/engagements/(\d+)/"')
    assert freelancers and engagements, "the demo workspace has freelancers and engagements"
    sweeps_before = _sweeps_done(log_path.read_text(errors="replace"))

    results, threads = [], []
    for n in range(CLIENTS):
        target = _newcomer_rounds if n % 3 == 2 else _owner_rounds
        args = (base, n) if target is _newcomer_rounds else (base, freelancers, engagements, n)
        threads.append(threading.Thread(target=lambda t=target, a=args: results.append(t(*a))))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)

    log = log_path.read_text(errors="replace")
    answers = [a for batch in results for a in batch]
    assert len(results) == CLIENTS
    failures = [a for a in answers if a[2] >= 500]
    assert failures == [], f"{len(failures)} of {len(answers)} requests failed, e.g. {failures[:3]}"
    assert LOCKED not in log
    posts = [a for a in answers if a[0] == "POST"]
    assert len(posts) >= CLIENTS * ROUNDS * 3 and all(a[2] == 302 for a in posts)
    # The sweeps ran (and wrote) while the clients did.
    assert _sweeps_done(log) > sweeps_before


def test_the_local_run_serves_static_files_compressed_and_cached_like_production(local_run):
    base, _ = local_run
    with urllib.request.urlopen(f"{base}/accounts/login/", timeout=30) as response:
        html = response.read().decode()
    css = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', html)
    assert css, "the stylesheet is linked under its hashed name"
    request = urllib.request.Request(base + css.group(1), headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        assert "max-age=31536000" in response.headers["Cache-Control"]


def test_the_local_run_commits_without_an_fsync_under_the_write_lock(tmp_path):
    """WAL with synchronous=NORMAL: a commit no longer waits for the disk while every other
    writer waits for it; BEGIN IMMEDIATE and the 20 s wait for a busy lock stay."""
    probe = ("import django; django.setup(); from django.db import connection as c; cur = c.cursor(); "
             "print(cur.execute('PRAGMA journal_mode').fetchone()[0], cur.execute('PRAGMA synchronous').fetchone()[0], "
             "c.transaction_mode, c.settings_dict['OPTIONS']['timeout'])")
    env = {"PATH": os.environ["PATH"], "DEBUG": "1", "VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE":
           "outsourcing.settings"}
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)

    assert result.stdout.split() == ["wal", "1", "IMMEDIATE", "20"], result.stderr[-2000:]
