"""The broker goes away and comes back, or the worker is killed mid-send, while the owner keeps
working: every email goes out exactly once, new ones flow afterwards, and the worker rides out
the broker's restart without anyone restarting it.

Real processes throughout: a broker of the test's own (Redis; RabbitMQ in CI's second pass),
`celery worker` and `celery beat` on it, the owner's work done in a separate process through the
REST API and the services (outsourcing/tests/traffic.py), mail to the SMTP sink.
"""

import os
import signal
import time
import uuid

import pytest

from notifications.models import Notification, NotificationStatus

from .brokers import assert_each_delivered_once, wait_until

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

# How long the owner keeps working while the broker is down. The issue asked for 30 s; 10 s
# shows the same (the worker fails to reconnect several times, every kind of work piles up in
# the outbox, the API keeps answering) in a third of the time. BROKER_OUTAGE_SECONDS=30 runs it
# as the issue said.
OUTAGE_SECONDS = float(os.environ.get("BROKER_OUTAGE_SECONDS", "10"))


def _fast(broker, **extra):
    """Beat sweeping every second; an email the broker never got is handed out again after 3 s."""
    return {"CELERY_BROKER_URL": broker.url, "CELERY_SWEEP_SECONDS": "1",
            "NOTIFICATION_QUEUED_GRACE_SECONDS": "3", **extra}


def _in_flight(smtp_sink, traffic, env, prefix, hold):
    """One round of work whose first email the mail server holds for `hold` seconds; returns
    once a worker is in the middle of sending it (and the round's addresses)."""
    held = f"{prefix}-api-0@example.net"
    smtp_sink.holds[held] = hold
    emailed = traffic(env, 0, prefix).emailed()
    wait_until(lambda: held in smtp_sink.holding, 30, "the worker to be sending the held email")
    return held, emailed


def _greylisted(smtp_sink, traffic, env, prefix):
    """One round of work whose emails the mail server greylists (451): the worker holds each
    retry, unacknowledged, until its countdown passes. Returns the round's addresses once it
    does, with the mail server accepting mail again."""
    smtp_sink.rcpt_reply = "451 4.7.1 Greylisted, try again later"
    emailed = traffic(env, 0, prefix).emailed()
    wait_until(lambda: Notification.objects.filter(recipient_email__in=emailed, attempts=1,
                                                   status=NotificationStatus.QUEUED,
                                                   last_error__contains="451").count() == len(emailed),
               30, "the worker to schedule a retry of each greylisted email")
    time.sleep(1)  # the retries reach the worker, which keeps them until their countdown
    smtp_sink.rcpt_reply = None
    return emailed


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_the_worker_rides_out_a_broker_restart_and_every_email_goes_out_once(
        how, own_broker, start_celery, traffic, transactional_db, smtp_sink):
    # A greylisted email is tried again 8 s later.
    env = _fast(own_broker, NOTIFICATION_RETRY_BASE_SECONDS="8")
    worker = start_celery("worker", **env)
    beat = None
    prefix = f"outage-{uuid.uuid4().hex[:6]}"
    try:
        # The broker goes while the worker holds messages it has not acknowledged (retries
        # waiting for their countdown) and waits for the next one: the moment it used to die.
        # (Beat, sweeping every second here, would keep the worker busy instead of waiting; it
        # starts as the broker goes, and lives through the outage like the worker.)
        before = _greylisted(smtp_sink, traffic, env, f"{prefix}-a")
        own_broker.stop(how)
        beat = start_celery("beat", **env)

        during = traffic(env, OUTAGE_SECONDS, f"{prefix}-b").emailed()
        assert len(during) >= 4
        own_broker.start()
        after = traffic(env, 0, f"{prefix}-c").emailed()

        assert_each_delivered_once(smtp_sink, before + during + after, worker=worker)
        # Nobody restarted the worker: it reconnected by itself.
        assert worker.proc.poll() is None, worker.log()[-6000:]
        assert "Unrecoverable error" not in worker.log()
        assert "Connection to broker lost" in worker.log()
    finally:
        for process in (beat, worker):
            if process is not None:
                process.stop()


def test_an_email_whose_worker_is_killed_mid_send_goes_out_once(
        own_broker, start_celery, traffic, transactional_db, smtp_sink):
    # A row claimed this long ago belongs to a dead worker (the real timeout is 10 minutes).
    env = _fast(own_broker, NOTIFICATION_SENDING_TIMEOUT_SECONDS="5")
    worker = start_celery("worker", **env)
    beat = start_celery("beat", **env)
    replacement = None
    prefix = f"killed-{uuid.uuid4().hex[:6]}"
    try:
        held, before = _in_flight(smtp_sink, traffic, env, f"{prefix}-a", hold=30)
        os.killpg(worker.proc.pid, signal.SIGKILL)  # the worker and its pool, mid-conversation
        worker.proc.wait(timeout=10)
        smtp_sink.holds.clear()
        assert smtp_sink.received(held) == []  # the server never said 250: nothing was delivered

        during = traffic(env, 3, f"{prefix}-b").emailed()
        replacement = start_celery("worker", **env)  # what its supervisor does

        assert_each_delivered_once(smtp_sink, before + during, worker=replacement)
        killed = Notification.objects.get(recipient_email=held)
        assert killed.attempts == 2  # the attempt that died with the worker, and the one that sent it
    finally:
        beat.stop()
        for process in (replacement, worker):
            if process is not None:
                process.stop()
