import socket

import pytest

pytestmark = pytest.mark.django_db


def test_it_reports_database_and_broker_ok(client):
    response = client.get("/healthz/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


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


def test_it_needs_no_login_and_is_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz/").status_code == 200
    assert client.get("/accounts/login/").status_code == 301
