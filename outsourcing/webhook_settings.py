"""The settings of outgoing webhooks (notifications/webhooks/), read from the environment;
outsourcing/settings.py puts them in place."""


def webhook_settings(env):
    return {
        # Private, loopback, link-local, multicast and reserved targets are refused at save and at
        # send time unless this is on (local receivers, tests); plain http:// endpoints are refused
        # unless WEBHOOKS_ALLOW_HTTP is on.
        "WEBHOOKS_ALLOW_PRIVATE_TARGETS": env.bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", default=False),
        "WEBHOOKS_ALLOW_HTTP": env.bool("WEBHOOKS_ALLOW_HTTP", default=False),
        # Seconds to connect, and in all to send and read the answer (of which at most 4 KB is read).
        "WEBHOOKS_CONNECT_TIMEOUT": env.float("WEBHOOKS_CONNECT_TIMEOUT", default=3.0),
        "WEBHOOKS_TIMEOUT": env.float("WEBHOOKS_TIMEOUT", default=10.0),
        # A delivery is retried with backoff for this long, then given up.
        "WEBHOOKS_RETRY_HOURS": env.int("WEBHOOKS_RETRY_HOURS", default=72),
        # An endpoint is disabled (and its owners emailed) when a delivery is given up while every
        # attempt in its window failed, or after this many failed attempts in a row.
        "WEBHOOKS_DISABLE_AFTER_FAILURES": env.int("WEBHOOKS_DISABLE_AFTER_FAILURES", default=100),
        # Events (with their deliveries and attempt log) are deleted this long after they were emitted.
        "WEBHOOKS_RETENTION_DAYS": env.int("WEBHOOKS_RETENTION_DAYS", default=30),
    }
