"""Redis stops (the cache and the broker with it, as in a deployment with one Redis) while the
owner keeps working in a real gunicorn: every owner page, API list, API write and sign-in for a
token is answered without a server error; the emails the work queued wait in the outbox and go
out, each once, when Redis is back. Real processes: gunicorn, `celery worker` and `celery beat`
on a redis-server of the test's own, mail to the SMTP sink."""

import json
import secrets
import time
import uuid
from urllib.parse import urlencode

import pytest

from accounts.tests.factories import PASSWORD
from api.services import token_create
from engagements.tests.factories import ApprovedFreelancerFactory, EngagementFactory
from notifications.models import Notification, NotificationStatus

from .brokers import assert_each_delivered_once
from .web import get, request, session_cookie, start_all

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

OUTAGE_SECONDS = 6  # of the owner's work with Redis stopped; at least two rounds


def _pages(engagement):
    return ["/", "/engagements/", f"/engagements/{engagement.pk}/", "/freelancers/",
            f"/freelancers/{engagement.freelancer_id}/", "/payments/", "/notifications/inbox/", "/team/"]


API_LISTS = ["/api/v1/engagements/", "/api/v1/freelancers/", "/api/v1/notifications/"]


class Owner:
    """The owner at work against `base`: pages with a session, the API with a token."""

    def __init__(self, base, owner, workspace, prefix):
        self.base, self.owner, self.workspace, self.prefix = base, owner, workspace, prefix
        self.csrf = secrets.token_hex(16)  # 32 characters: Django takes it unmasked
        self.cookie = f"{session_cookie(owner)}; csrftoken={self.csrf}"
        self.token = token_create(user=owner, workspace_slug=workspace.slug)[1]
        self.answers, self.emailed = [], []

    def _record(self, method, path, status, body):
        self.answers.append((method, path, status, body[:300] if not 200 <= status < 400 else ""))
        return status, body

    def page(self, path):
        return self._record("GET", path, *get(self.base, path, headers={"Cookie": self.cookie}))

    def api(self, method, path, data=None, token=None):
        headers = {"Authorization": f"Token {token or self.token}", "Content-Type": "application/json"}
        body = json.dumps(data) if data is not None else None
        return self._record(method, path, *request(self.base, method, path, headers=headers, body=body))

    def invite_teammate(self, email):
        """The team page's form, posted as a browser would (session and CSRF token)."""
        body = urlencode({"email": email, "csrfmiddlewaretoken": self.csrf})
        headers = {"Cookie": self.cookie, "Content-Type": "application/x-www-form-urlencoded"}
        self._record("POST", "/team/", *request(self.base, "POST", "/team/", headers=headers, body=body))
        self.emailed.append(email)

    def sign_in_for_a_token(self):
        """POST /auth/token/ (throttled per address in the cache)."""
        body = json.dumps({"email": self.owner.email, "password": PASSWORD})
        return self._record("POST", "/api/v1/auth/token/", *request(
            self.base, "POST", "/api/v1/auth/token/", headers={"Content-Type": "application/json"}, body=body))

    def one_round(self, engagement, number):
        for path in _pages(engagement):
            self.page(path)
        for path in API_LISTS:
            self.api("GET", path)
        email = f"{self.prefix}-api-{number}@example.net"
        status, body = self.api("POST", "/api/v1/freelancers/", {"name": f"Freelancer {number}", "email": email})
        if status == 201:
            self.api("POST", "/api/v1/invitations/", {"freelancer": json.loads(body)["id"]})
            self.emailed.append(email)
        self.invite_teammate(f"{self.prefix}-team-{number}@example.net")
        self.sign_in_for_a_token()

    def failures(self):
        """(method, path, status) of every answer that was not a page, a redirect or a success,
        and the first such body."""
        failed = [a for a in self.answers if not 200 <= a[2] < 400]
        return [a[:3] for a in failed] + [a[3] for a in failed[:1]]


def test_owner_pages_and_the_api_answer_while_redis_is_down_and_the_emails_go_out_once_after(
        own_redis, start_own_celery, start_gunicorn, transactional_db, smtp_sink, owner, workspace):
    env = {"REDIS_URL": own_redis.url, "CELERY_BROKER_URL": own_redis.url, "CELERY_SWEEP_SECONDS": "1",
           "NOTIFICATION_QUEUED_GRACE_SECONDS": "3", "API_TOKEN_THROTTLE": "1000/min"}
    web, worker, beat = start_all(lambda: start_gunicorn(**env), lambda: start_own_celery("worker", **env),
                                  lambda: start_own_celery("beat", **env))
    freelancer = ApprovedFreelancerFactory(workspace=workspace, name="Ana Lima")
    engagement = EngagementFactory(workspace=workspace, freelancer=freelancer, created_by=owner, title="Logo")
    working = Owner(web.url, owner, workspace, f"redis-down-{uuid.uuid4().hex[:6]}")
    working.one_round(engagement, 0)  # everything up: the same work answers
    assert working.failures() == []

    own_redis.stop()
    before = len(working.emailed)
    down_since, number = time.monotonic(), 1
    while number < 3 or time.monotonic() - down_since < OUTAGE_SECONDS:
        working.one_round(engagement, number)
        number += 1
    assert own_redis.running() is False  # the work above was all done without Redis
    assert working.failures() == []
    assert "Could not enqueue notification" in web.log()
    # The work's emails wait in the outbox: committed, queued, none sent.
    waiting = working.emailed[before:]
    assert set(Notification.objects.filter(recipient_email__in=waiting).values_list("status", flat=True)) == {
        NotificationStatus.QUEUED}
    assert Notification.objects.filter(recipient_email__in=waiting).count() == len(waiting)
    assert [a for a in waiting if smtp_sink.received(a)] == []

    own_redis.start()  # empty: whatever the broker held is gone
    working.one_round(engagement, number)
    assert working.failures() == []
    assert_each_delivered_once(smtp_sink, working.emailed, worker=worker, timeout=90)
    assert len(working.emailed) >= 2 * (number + 1)
    assert beat.proc.poll() is None and worker.proc.poll() is None
