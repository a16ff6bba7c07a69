"""/healthz/ knows whether any worker consumes, from the heartbeat real workers record: a worker
that cannot reach its broker or was killed turns it 503 naming that worker within the staleness
threshold, and it answers 200 again once a worker consumes."""

import os
import signal

import pytest

from outsourcing.models import WorkerHeartbeat

from .brokers import wait_until

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


def _health(client, status):
    """The /healthz/ answer, once it has the status `status`."""
    answers = []

    def answered():
        answers.append(client.get("/healthz/"))
        return answers[-1].status_code == status

    wait_until(answered, 60, f"/healthz/ to answer {status}", interval=0.5)
    return answers[-1].json()


def test_healthz_answers_503_naming_the_worker_that_stopped_consuming_and_200_once_one_does(
        own_broker, start_celery, transactional_db, client, settings):
    settings.WORKER_HEARTBEAT_STALE_SECONDS = 4
    env = {"CELERY_BROKER_URL": own_broker.url, "WORKER_HEARTBEAT_SECONDS": "0.5"}
    worker = start_celery("worker", **env)
    replacement = None
    try:
        assert _health(client, 200)["worker"] == "ok"
        hostname = WorkerHeartbeat.objects.get().hostname
        assert hostname.startswith("test-")

        # Its broker goes away: the worker process lives on, but consumes nothing.
        own_broker.stop()
        body = _health(client, 503)
        assert (body["database"], body["broker"]) == ("ok", "ok")  # the app's own broker is fine
        assert body["worker"].startswith("error: no worker has consumed for ")
        assert f"(last: {hostname})" in body["worker"]
        own_broker.start()
        assert _health(client, 200)["worker"] == "ok"

        # The worker is killed; its supervisor starts another.
        os.killpg(worker.proc.pid, signal.SIGKILL)
        assert f"(last: {hostname})" in _health(client, 503)["worker"]
        replacement = start_celery("worker", **env)
        assert _health(client, 200)["worker"] == "ok"
    finally:
        for process in (replacement, worker):
            if process is not None:
                process.stop()
