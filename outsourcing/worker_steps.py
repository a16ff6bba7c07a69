"""A worker bootstep sending the worker's heartbeat ping (outsourcing/heartbeat.py).

It runs in the consumer's own event loop and only while the consumer is connected: Celery stops
consumer steps when the broker connection is lost and starts them again once it is back, so a
worker that cannot consume sends no pings and its heartbeat goes stale. Importing no models, it
can be registered while the Celery app is built, before Django is set up.
"""

import logging

from celery import bootsteps
from django.conf import settings

log = logging.getLogger(__name__)

HEARTBEAT_TASK = "outsourcing.tasks.heartbeat_record"


class HeartbeatPing(bootsteps.StartStopStep):
    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, parent, **kwargs):
        super().__init__(parent, **kwargs)
        self.timer_entry = None

    def start(self, c):
        self.ping(c)
        self.timer_entry = c.timer.call_repeatedly(settings.WORKER_HEARTBEAT_SECONDS, self.ping, (c,))

    def stop(self, c):
        if self.timer_entry is not None:
            self.timer_entry.cancel()
            self.timer_entry = None

    shutdown = stop

    def ping(self, c):
        try:
            # No publish retries: this runs in the event loop, and the next ping is on its way.
            c.app.send_task(HEARTBEAT_TASK, retry=False, expires=settings.WORKER_HEARTBEAT_STALE_SECONDS)
        except Exception as exc:  # the broker just went away: the consumer is reconnecting anyway
            log.warning("Could not send the worker heartbeat ping: %r", exc)
