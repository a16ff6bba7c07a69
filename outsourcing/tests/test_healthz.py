import datetime as dt
import socket

import pytest
from django.utils import timezone

from outsourcing.heartbeat import heartbeat_record
from outsourcing.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_heartbeat_of_other_tests(db):
    # A worker a real-process test started may have committed its heartbeat row.
    WorkerHeartbeat.objects.all().delete()


@pytest.fixture
def fresh_worker(db):
    """A worker that has just reported consuming."""
    heartbeat_record(hostname="celery@worker-1")


def test_it_reports_database_and_broker_ok(client, fresh_worker):
    response = client.get("/healthz/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok", "worker": "ok"}


@pytest.mark.redis
def test_it_reaches_the_real_redis_broker(client, settings):
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    assert client.get("/healthz/").json()["broker"] == "ok"


def test_it_answers_503_when_the_broker_is_unreachable(client, settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed}/0"

    response = client.get("/healthz/")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"] == "ok"
    assert body["broker"].startswith("error: ")


def test_it_needs_no_login_and_is_not_redirected_to_https(client, settings, fresh_worker):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz/").status_code == 200
    assert client.get("/accounts/login/").status_code == 301


# --- Is any worker consuming? ------------------------------------------------------------------
def test_it_answers_503_naming_the_worker_when_none_has_ever_reported(client):
    response = client.get("/healthz/")

    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["database"], body["broker"]) == ("unavailable", "ok", "ok")
    assert body["worker"] == "error: no worker has reported consuming yet"


def test_it_answers_503_naming_the_worker_whose_heartbeat_went_stale(client, settings):
    settings.WORKER_HEARTBEAT_STALE_SECONDS = 60
    heartbeat_record(hostname="celery@worker-1", now=timezone.now() - dt.timedelta(seconds=90))

    response = client.get("/healthz/")

    assert response.status_code == 503
    worker = response.json()["worker"]
    assert worker.startswith("error: no worker has consumed for ")
    assert "(last: celery@worker-1)" in worker
    assert 89 <= int(worker.split("for ")[1].split(" s")[0]) <= 95


def test_it_answers_200_again_once_a_worker_reports(client, settings):
    settings.WORKER_HEARTBEAT_STALE_SECONDS = 60
    heartbeat_record(hostname="celery@worker-1", now=timezone.now() - dt.timedelta(seconds=90))
    assert client.get("/healthz/").status_code == 503

    heartbeat_record(hostname="celery@worker-2", now=timezone.now() - dt.timedelta(seconds=30))

    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json()["worker"] == "ok"
