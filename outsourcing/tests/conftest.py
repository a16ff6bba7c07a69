import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

from api.services import token_create

from .brokers import RabbitServer, own_broker_kind, start_own_broker


@pytest.fixture
def send_invitation(owner_client, celery_eager, mailoutbox, django_capture_on_commit_callbacks):
    """Invite a teammate from the team page as the owner; returns the emailed link's path."""

    def send(email="new.hire@example.com", url="/team/"):
        before = len(mailoutbox)
        with django_capture_on_commit_callbacks(execute=True):
            response = owner_client.post(url, {"email": email})
        assert response.status_code == 302, response.content.decode()[:2000]
        assert len(mailoutbox) == before + 1
        return invitation_path(mailoutbox[-1])

    return send


def invitation_path(message):
    [url] = re.findall(r"https?://\S+/invite/\S+/", message.body)
    return urlparse(url).path


@pytest.fixture
def own_broker(tmp_path):
    """A broker of this test's own (outsourcing/tests/brokers.py) that the test may stop and
    start: Redis, or RabbitMQ when CELERY_BROKER_URL names one. Point the processes at it with
    CELERY_BROKER_URL=own_broker.url."""
    server = start_own_broker(own_broker_kind(), tmp_path)
    yield server
    if isinstance(server, RabbitServer):
        server.remove()
    else:
        server.kill()


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of this test's own (always Redis, whichever broker CI's pass names), for a
    test that takes the cache and the broker away together: REDIS_URL=CELERY_BROKER_URL=own_redis.url."""
    server = start_own_broker("redis", tmp_path)
    yield server
    server.kill()


@pytest.fixture
def traffic(celery_process_env, owner, workspace):
    """`traffic(env, seconds, prefix)`: the owner's work (outsourcing/tests/traffic.py) in a
    web-like process on the broker in `env`; returns the process, whose `emailed()` waits for it
    and lists the addresses it emailed."""
    base_env, _ = celery_process_env
    _, token = token_create(user=owner, workspace_slug=workspace.slug)
    started = []

    def run(env, seconds, prefix):
        process = subprocess.Popen(
            [sys.executable, "-c", "import django; django.setup(); from outsourcing.tests.traffic import main; main()"],
            cwd=Path(__file__).resolve().parents[2], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**base_env, **env, "TRAFFIC_SECONDS": str(seconds), "TRAFFIC_PREFIX": prefix,
                 "TRAFFIC_TOKEN": token, "TRAFFIC_WORKSPACE": str(workspace.pk), "TRAFFIC_OWNER": str(owner.pk)},
        )
        started.append(process)

        def emailed(timeout=seconds + 120):
            out, err = process.communicate(timeout=timeout)
            assert process.returncode == 0, err[-4000:]
            return json.loads(out.strip().splitlines()[-1])["emailed"]

        process.emailed = emailed
        return process

    yield run
    for process in started:
        if process.poll() is None:
            process.kill()
            process.communicate()


@pytest.fixture
def start_gunicorn(celery_process_env):
    """`start_gunicorn(**env)`: gunicorn (2 sync workers) on a free port, on the test database
    and the environment of `celery_process_env` plus `env`; stopped after the test."""
    from .web import Gunicorn

    base_env, workdir = celery_process_env
    started = []

    def start(workers=2, **extra_env):
        server = Gunicorn({**base_env, **extra_env}, workdir, workers=workers)
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def start_own_celery(start_celery):
    """`start_celery` for this test alone: the workers and beats it starts are stopped when the
    test ends (before the broker of its own goes), not at the end of the session."""
    started = []

    def start(kind, **extra_env):
        process = start_celery(kind, **extra_env)
        started.append(process)
        return process

    yield start
    for process in reversed(started):
        process.stop()
