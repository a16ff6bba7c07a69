"""The Celery broker: which one (Redis, Redis Sentinel, RabbitMQ, or the local filesystem) and
a worker that survives it restarting.

Why a Connection class of our own: with celery 5.7.0 / kombu 5.7.0 a worker whose Redis goes
away while it holds unacknowledged messages (a task running, a retry waiting for its countdown)
dies with `AttributeError: 'NoneType' object has no attribute 'hostname'` and never consumes
again. On connection loss the consumer first calls kombu's `Connection.collect()`, which tries
to close the default channel (the dead socket aborts that close half-way) and then detaches the
transport (`transport.client = None`) while leaving `_default_channel` in place. Celery 5.7 then
also calls `connection.close()` (celery/celery#10242, the fix for #9705), which closes that same
channel again; closing a Redis channel restores its unacknowledged messages, which needs the
transport's client for the connection parameters, and the AttributeError it raises is not a
connection error, so the worker treats it as unrecoverable. Forgetting the default channel once
the transport is collected (below) is the fix: the channel belongs to the transport that is
gone. The messages it held stay in Redis's unacked set and come back after the visibility
timeout; the outbox recovery sweep re-sends the emails among them well before that.
"""

from celery.app.amqp import AMQP as CeleryAMQP
from kombu import Connection as KombuConnection

# Redis: how long a message may stay unacknowledged before Redis hands it to another worker.
# Long waits are deadlines in the database, never an eta/countdown beyond this.
VISIBILITY_TIMEOUT = 3600


class Connection(KombuConnection):
    """kombu's Connection, minus the stale default channel after `collect()` (see above)."""

    def collect(self, socket_timeout=None):
        super().collect(socket_timeout)
        self._default_channel = None


class AMQP(CeleryAMQP):
    """Celery's `app.amqp` making every broker connection (worker, beat, web) one of ours."""

    Connection = Connection
    BrokerConnection = Connection


def broker_scheme(url):
    """The transport named by a broker URL: "redis", "sentinel", "amqp" or "filesystem"."""
    scheme = url.split("://", 1)[0].split("+")[-1].lower()
    return {"rediss": "redis", "pyamqp": "amqp", "amqps": "amqp"}.get(scheme, scheme)


def broker_settings(url, *, broker_dir, sentinel_master="mymaster"):
    """The Celery settings that go with the broker at `url`, as CELERY_* names.

    Redis (and Sentinel): an explicit visibility timeout, TCP keepalive and a connect timeout,
    so a broker that vanished without closing the socket is noticed (kombu also pings an idle
    connection every 25 s). RabbitMQ: quorum queues (replicated, durable) with publisher
    confirms, so a message the web process handed over survives a broker restart; the topic
    exchange lets Celery's native delayed delivery carry the email retries' countdowns.
    """
    kind = broker_scheme(url)
    if kind in {"redis", "sentinel"}:
        options = {"visibility_timeout": VISIBILITY_TIMEOUT, "socket_keepalive": True,
                   "socket_connect_timeout": 5}
        if kind == "sentinel":
            options["master_name"] = sentinel_master
        return {"CELERY_BROKER_TRANSPORT_OPTIONS": options}
    if kind == "amqp":
        return {
            "CELERY_BROKER_TRANSPORT_OPTIONS": {"confirm_publish": True},
            "CELERY_TASK_DEFAULT_QUEUE_TYPE": "quorum",
            "CELERY_TASK_DEFAULT_EXCHANGE_TYPE": "topic",
        }
    if kind == "filesystem":
        # The filesystem transport needs its folders before any process touches the queue.
        for folder in ("queue", "processed", "control"):
            (broker_dir / folder).mkdir(parents=True, exist_ok=True)
        return {"CELERY_BROKER_TRANSPORT_OPTIONS": {
            "data_folder_in": str(broker_dir / "queue"),
            "data_folder_out": str(broker_dir / "queue"),
            "processed_folder": str(broker_dir / "processed"),
            # Fanout (broadcast) exchanges: without this, a "control/" folder in the working directory.
            "control_folder": str(broker_dir / "control"),
            "store_processed": False,
        }}
    return {"CELERY_BROKER_TRANSPORT_OPTIONS": {}}
