"""Pages and API lists under load: queries per request (counted in-process through the whole
middleware stack) and, against the running gunicorn, requests per second and p50/p95/p99 with wrk
at a fixed number of connections for a fixed time; each page's throughput as a share of the
anonymous login page's, the floor of this stack."""

import json
import shutil
import subprocess
import tempfile
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.middleware.csrf import CSRF_ALLOWED_CHARS
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.crypto import get_random_string

from accounts.middleware import IDLE_STAMP
from accounts.models import User
from engagements.models import Engagement, EngagementStatus

from . import data

WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format('JSON {"requests": %d, "duration_us": %d, "non2xx": %d, "socket_errors": %d, '
    .. '"p50": %d, "p95": %d, "p99": %d}\\n', summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


@dataclass
class Target:
    name: str
    who: str  # anonymous, owner, freelancer, api
    path: str
    kept: bool = False  # a page whose content is kept until its workspace changes (accounts/kept.py)


@dataclass
class Result:
    target: Target
    status: int
    queries: int | None = None
    bytes: int | None = None
    rps: float | None = None
    p50: float | None = None
    p95: float | None = None
    p99: float | None = None
    non2xx: int = 0


def targets():
    engagement = Engagement.objects.filter(workspace__slug="bench-0", status=EngagementStatus.ACTIVE,
                                           freelancer__user__isnull=True).order_by("pk").first()
    return [
        Target("login page (anonymous: the floor)", "anonymous", "/accounts/login/"),
        Target("/healthz/ (database, broker, worker)", "anonymous", "/healthz/"),
        Target("home", "owner", "/", kept=True),
        Target("engagement list", "owner", "/engagements/", kept=True),
        Target("engagement page", "owner", f"/engagements/{engagement.pk}/"),
        Target("freelancer list", "owner", "/freelancers/"),
        Target("payments overview", "owner", "/payments/", kept=True),
        Target("search", "owner", "/engagements/search/?q=logo"),
        Target("inbox", "owner", "/notifications/inbox/"),
        Target("portal home (1,000 engagements)", "freelancer", "/portal/"),
        Target("portal money", "freelancer", "/portal/money/"),
        Target("API engagements", "api", "/api/v1/engagements/"),
        Target("API freelancers", "api", "/api/v1/freelancers/"),
        Target("API attention", "api", "/api/v1/attention/"),
    ]


class Identities:
    """A logged-in session for the owner and the heavy freelancer, and an API token."""

    def __init__(self):
        from api import services

        self.clients = {"anonymous": Client(HTTP_HOST="localhost")}
        self.cookies = {"anonymous": ""}
        for who, email in (("owner", data.MAIN_OWNER_EMAIL), ("freelancer", data.HEAVY_FREELANCER_EMAIL)):
            client = Client(HTTP_HOST="localhost")
            client.force_login(User.objects.get(email=email))
            # A sign-in through the form starts the idle clock in its own response; force_login
            # passes no request through the middleware, so without this the first page counted
            # wrote the session row (3 statements: home counted 18 instead of its 15).
            session = client.session
            session[IDLE_STAMP] = int(timezone.now().timestamp())
            session.save()
            # The CSRF cookie a browser holds after its first page (the forms' tokens are made
            # from it, and a kept page is its session's own: accounts/kept.py).
            client.cookies[settings.CSRF_COOKIE_NAME] = csrf_secret = get_random_string(32, CSRF_ALLOWED_CHARS)
            self.clients[who] = client
            cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
            self.cookies[who] = f"{cookie}; {settings.CSRF_COOKIE_NAME}={csrf_secret}"
        _, key = services.token_create(user=User.objects.get(email=data.MAIN_OWNER_EMAIL), workspace_slug="bench-0")
        self.token = key
        self.clients["api"] = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Token {key}")

    def headers(self, who):
        if who == "api":
            return [f"Authorization: Token {self.token}"]
        return [f"Cookie: {self.cookies[who]}"] if self.cookies[who] else []


def count(identities, target):
    client = identities.clients[target.who]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(target.path, secure=False)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, len(queries), len(body)


def wrk(url, headers, *, seconds, connections):
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (Debian: apt-get install wrk).")
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_SCRIPT)
        script.flush()
        args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", script.name]
        for header in headers:
            args += ["-H", header]
        out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("JSON "))
    return json.loads(line[5:])


def _check(url, headers):
    """The live server answers this page 200 to these headers (not a redirect to the login)."""
    request = urllib.request.Request(url, headers=dict(h.split(": ", 1) for h in headers))
    opener = urllib.request.build_opener(_NoRedirect)
    with opener.open(request, timeout=120) as response:
        if response.status != 200:
            raise RuntimeError(f"{url} answered {response.status} on the live server.")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def run(base_url, *, seconds, connections, only=(), built=False, log=print):
    """Measure every target, or those whose name contains one of `only` (the floor always); with
    `built`, only the kept pages, on a server that builds them on every view (KEPT_PAGES=0)."""
    identities = Identities()
    results = []
    chosen = [t for t in targets() if not only or t.who == "anonymous" and t.path == "/accounts/login/"
              or any(word.lower() in t.name.lower() for word in only)]
    if built:
        chosen = [Target(f"{t.name}, built on every view", t.who, t.path) for t in chosen if t.kept]
    for target in chosen:
        status, queries, size = count(identities, target)
        result = Result(target, status, queries, size)
        if status == 200:
            _check(base_url + target.path, identities.headers(target.who))
            figures = wrk(base_url + target.path, identities.headers(target.who), seconds=seconds,
                          connections=connections)
            result.rps = figures["requests"] / (figures["duration_us"] / 1e6)
            result.p50, result.p95, result.p99 = (figures[k] / 1000 for k in ("p50", "p95", "p99"))
            result.non2xx = figures["non2xx"] + figures["socket_errors"]
        log(_line(result))
        results.append(result)
    return results


def _line(r):
    if r.rps is None:
        return f"{r.target.name}: answered {r.status}, not measured"
    return (f"{r.target.name}: {r.queries} queries, {r.bytes / 1024:.0f} KB, {r.rps:.0f} req/s, "
            f"p50 {r.p50:.0f} ms, p95 {r.p95:.0f} ms, p99 {r.p99:.0f} ms, {r.non2xx} not 2xx")
