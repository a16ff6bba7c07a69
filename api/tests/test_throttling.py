"""The token throttle when its cache (Redis) is down: signing in still works, and the brake holds
in the web process's memory meanwhile."""

import socket

import pytest
from rest_framework.settings import api_settings

from accounts.tests.factories import PASSWORD
from api import throttling


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once the socket is closed


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
                                   "OPTIONS": {"socket_connect_timeout": 1}}}
    throttling._LOCAL.clear()
    yield
    throttling._LOCAL.clear()


def test_a_token_is_issued_while_the_cache_is_down_and_the_brake_still_holds(api_client, owner, workspace,
                                                                            cache_down):
    issued = api_client.post("/api/v1/auth/token/", {"email": owner.email, "password": PASSWORD}, format="json")
    assert issued.status_code == 200, issued.content

    allowed = int(api_settings.DEFAULT_THROTTLE_RATES["token"].split("/")[0])
    answers = [api_client.post("/api/v1/auth/token/", {"email": f"guess{n}@example.com", "password": "x-123456"},
                               format="json").status_code for n in range(allowed)]
    assert answers[:allowed - 1] == [400] * (allowed - 1)
    assert answers[-1] == 429
