"""Every beat sweep, run once as in production on the `sweeps_data` set: committed (each batch in
its own transaction, as `drain` runs it) and with the hand-off of its emails to the broker (the
on-commit enqueue to Redis) inside the measured time. Per sweep: seconds, queries, what it
handled, the emails it queued (those held for 08:00 in the recipient's zone counted apart) and
the messages that reached the broker. A sweep that handles less than was set up due fails the run.
"""

import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from engagements.reminders import (
    acknowledgement_nudges,
    checkin_nudges,
    milestone_reminders,
    owner_digests,
    silence_detector,
    status_update_reminders,
)
from notifications.models import Notification
from notifications.tasks import outbox_recover
from payments.reminders.auto_release import auto_release_due, timesheets_auto_approve
from payments.reminders.review_warnings import review_window_warnings

QUEUE = "celery"  # Celery's default queue: a Redis list of that name on the broker


@dataclass
class Sweep:
    name: str
    run: object  # () → the sweep's result
    expect: dict  # counter → the number set up due
    handled: dict = field(default_factory=dict)
    seconds: float = 0.0
    queries: int = 0
    emails: int = 0
    held: int = 0  # queued with not_before: 08:00 in the recipient's zone
    brokered: int | None = None

    @property
    def short(self):
        return {k: (self.handled.get(k, 0), v) for k, v in self.expect.items() if self.handled.get(k, 0) < v}


class Counter:
    """Counts every statement (no log kept: CaptureQueriesContext keeps only the last 9,000)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def sweeps(due):
    """In the order they run: the outbox first, before the others' fresh emails exist."""
    return [
        Sweep("outbox recovery", lambda: {"recovered": outbox_recover.run()}, {"recovered": due}),
        Sweep("status updates", status_update_reminders, {"reminded": due}),
        Sweep("silence", silence_detector, {"gone_quiet": due}),
        Sweep("check-ins (agenda + cadence)", checkin_nudges, {"day_before": due, "unscheduled": due}),
        Sweep("milestone due", milestone_reminders, {"due_soon": due}),
        Sweep("acknowledgements (briefs)", acknowledgement_nudges, {"briefs": due}),
        Sweep("review-window warnings", review_window_warnings, {"warned": due}),
        Sweep("auto-release", auto_release_due, {"released": due}),
        Sweep("timesheet auto-approve", lambda: {"approved": timesheets_auto_approve()}, {"approved": due}),
        Sweep("owner digests", owner_digests, {"digests": 1}),
    ]


def broker():
    """The Redis the on-commit enqueues go to, or None when the broker is not Redis."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return None
    import redis

    return redis.Redis.from_url(url)


def measure(sweep, redis_client, log=print):
    before = Notification.objects.aggregate(m=Max("pk"))["m"] or 0
    queued_before = redis_client.llen(QUEUE) if redis_client else None
    counter = Counter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        result = sweep.run()
        sweep.seconds = time.perf_counter() - started
    sweep.queries = counter.count
    sweep.handled = {k: v for k, v in result.items() if isinstance(v, int)}
    new = Notification.objects.filter(pk__gt=before)
    sweep.emails = new.count()
    sweep.held = new.filter(not_before__gt=timezone.now()).count()
    if redis_client is not None:
        sweep.brokered = redis_client.llen(QUEUE) - queued_before
    log(line(sweep))
    return sweep


def run(due, log=print):
    redis_client = broker()
    return [measure(s, redis_client, log) for s in sweeps(due)]


def line(s):
    handled = ", ".join(f"{k} {v:,}" for k, v in s.handled.items())
    brokered = "" if s.brokered is None else f", {s.brokered:,} handed to the broker"
    return (f"{s.name}: {s.seconds:.2f} s, {s.queries:,} queries; {handled}; {s.emails:,} emails queued "
            f"({s.held:,} held for decent hours){brokered}")


def purge(redis_client):
    """Drop what the sweeps handed to the broker: no worker of the benchmark should spend the
    next measurement sending 100,000 emails."""
    if redis_client is not None:
        redis_client.delete(QUEUE)
