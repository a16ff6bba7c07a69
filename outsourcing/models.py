"""What the dashboard shell keeps of its own: the workers' heartbeats.

A row per worker host, refreshed while that worker consumes (outsourcing/heartbeat.py). It lives
in the database, not in the broker, because it must still be readable when the broker is the
thing that is down. Only this app writes and reads it (the Celery set-up, /healthz/ and the
dashboard), so it sits here rather than in a lower app.
"""

from django.db import models


class WorkerHeartbeat(models.Model):
    hostname = models.CharField(max_length=255, unique=True)
    # When a task last finished on this worker (or its heartbeat ping, when it has no other work).
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-seen_at"]

    def __str__(self):
        return f"{self.hostname} at {self.seen_at:%Y-%m-%d %H:%M:%S}"
