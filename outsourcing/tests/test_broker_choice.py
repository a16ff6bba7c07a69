"""Which broker: CELERY_BROKER_URL (REDIS_URL when unset) names Redis, Redis Sentinel or
RabbitMQ, each with the options it needs; the cache stays on REDIS_URL whatever the broker is.
And every broker connection the app makes is the one that survives a broker restart."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from outsourcing.broker import VISIBILITY_TIMEOUT, Connection, broker_scheme, broker_settings
from outsourcing.celery import app

from .brokers import RedisServer, SentinelServer

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("url, kind", [
    ("redis://10.0.0.5:6379/0", "redis"), ("rediss://:secret@cache.example:6380/1", "redis"),
    ("sentinel://10.0.0.1:26379;sentinel://10.0.0.2:26379", "sentinel"),
    ("amqp://app:secret@mq.example:5672/outsourcing", "amqp"), ("pyamqp://mq.example//", "amqp"),
    ("amqps://mq.example//", "amqp"), ("filesystem://", "filesystem"),
])
def test_it_tells_the_transport_from_the_url(url, kind):
    assert broker_scheme(url) == kind


def test_redis_gets_a_visibility_timeout_keepalive_and_a_connect_timeout(tmp_path):
    conf = broker_settings("redis://10.0.0.5:6379/0", broker_dir=tmp_path)

    assert conf == {"CELERY_BROKER_TRANSPORT_OPTIONS": {
        "visibility_timeout": VISIBILITY_TIMEOUT, "socket_keepalive": True, "socket_connect_timeout": 5}}


def test_sentinel_also_names_the_master(tmp_path):
    conf = broker_settings("sentinel://10.0.0.1:26379;sentinel://10.0.0.2:26379", broker_dir=tmp_path,
                           sentinel_master="outsourcing")

    assert conf["CELERY_BROKER_TRANSPORT_OPTIONS"]["master_name"] == "outsourcing"
    assert conf["CELERY_BROKER_TRANSPORT_OPTIONS"]["visibility_timeout"] == VISIBILITY_TIMEOUT


def test_rabbitmq_gets_quorum_queues_publisher_confirms_and_a_topic_exchange(tmp_path):
    conf = broker_settings("amqp://app:secret@mq.example:5672/outsourcing", broker_dir=tmp_path)

    assert conf == {
        "CELERY_BROKER_TRANSPORT_OPTIONS": {"confirm_publish": True},
        "CELERY_TASK_DEFAULT_QUEUE_TYPE": "quorum",
        # Celery's native delayed delivery (the email retries' countdowns on quorum queues)
        # needs a topic exchange.
        "CELERY_TASK_DEFAULT_EXCHANGE_TYPE": "topic",
    }


def test_the_filesystem_broker_gets_its_folders(tmp_path):
    conf = broker_settings("filesystem://", broker_dir=tmp_path / "broker")

    assert conf["CELERY_BROKER_TRANSPORT_OPTIONS"]["data_folder_in"] == str(tmp_path / "broker" / "queue")
    assert {p.name for p in (tmp_path / "broker").iterdir()} == {"queue", "processed", "control"}


def _settings(tmp_path, **env):
    """The broker and cache settings a fresh process reads from `env` (DEBUG on, nothing else)."""
    code = ("import json, django; django.setup(); from django.conf import settings as s; "
            "print(json.dumps({'broker': s.CELERY_BROKER_URL, 'queue_type': s.CELERY_TASK_DEFAULT_QUEUE_TYPE, "
            "'options': s.CELERY_BROKER_TRANSPORT_OPTIONS, 'cache': s.CACHES['default']}))")
    clean = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "outsourcing.settings", "DEBUG": "1",
             "VAR_DIR": str(tmp_path), **env}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_broker_is_redis_url_unless_said_otherwise(tmp_path):
    conf = _settings(tmp_path, REDIS_URL="redis://10.0.0.5:6379/2")

    assert conf["broker"] == "redis://10.0.0.5:6379/2"
    assert conf["cache"]["LOCATION"] == "redis://10.0.0.5:6379/2"


def test_a_broker_of_its_own_leaves_the_cache_on_redis_url(tmp_path):
    conf = _settings(tmp_path, REDIS_URL="redis://10.0.0.5:6379/2",
                     CELERY_BROKER_URL="amqp://app:secret@mq.example:5672/outsourcing")

    assert conf["broker"] == "amqp://app:secret@mq.example:5672/outsourcing"
    assert conf["queue_type"] == "quorum"
    assert conf["cache"] == {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                             "LOCATION": "redis://10.0.0.5:6379/2",
                             "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2}}


def test_without_either_the_local_run_uses_the_filesystem_broker(tmp_path):
    conf = _settings(tmp_path)

    assert conf["broker"] == "filesystem://"
    assert conf["options"]["data_folder_in"] == str(tmp_path / "broker" / "queue")
    assert conf["cache"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


@pytest.mark.redis
def test_every_broker_connection_forgets_its_channel_once_collected(tmp_path):
    # What kept a worker from surviving a Redis restart (outsourcing/broker.py): after
    # collect() the connection still held the collected transport's channel, and closing it
    # again crashed. The app's connections (worker, beat and web alike) are ours.
    server = RedisServer(tmp_path).start()
    try:
        connection = app.connection_for_write(server.url)
        assert isinstance(connection, Connection)
        channel = connection.default_channel
        connection.collect()
        assert connection._default_channel is None
        assert connection.default_channel is not channel  # a fresh one, on a fresh transport
        connection.close()
    finally:
        server.kill()


@pytest.mark.redis
@pytest.mark.postgres
def test_a_worker_reaching_redis_through_sentinel_sends_the_email(start_celery, traffic, transactional_db,
                                                                   smtp_sink, tmp_path):
    redis = RedisServer(tmp_path).start()
    sentinel = SentinelServer(tmp_path, redis).start()
    env = {"CELERY_BROKER_URL": sentinel.url, "CELERY_BROKER_SENTINEL_MASTER": sentinel.master_name}
    worker = start_celery("worker", **env)
    try:
        emailed = traffic(env, 0, "sentinel").emailed()

        for address in emailed:
            smtp_sink.wait_for(1, to=address)
        assert [len(smtp_sink.received(address)) for address in emailed] == [1, 1]
        assert "Connected to sentinel://" in worker.log()
    finally:
        worker.stop()
        sentinel.kill()
        redis.kill()
