"""Events as Stripe sends them: JSON bodies signed with the package's own
`stripe.WebhookSignature.generate_signature_header`, one secret for platform events and one for
Connect events (those with `account`), and helpers that deliver them — optionally duplicated,
reordered, tampered with or stale — to a Django test client or a URL."""

import json
import random
import urllib.request
from dataclasses import dataclass, field

import stripe

PATHS = {"platform": "/webhooks/stripe/", "connect": "/webhooks/stripe/connect/"}


@dataclass
class Delivery:
    kind: str  # "platform" or "connect": which webhook endpoint Stripe would send it to
    payload: bytes
    headers: dict = field(default_factory=dict)
    event: dict = field(default_factory=dict)

    @property
    def signature(self):
        return self.headers["Stripe-Signature"]


class WebhooksMixin:
    def pop_events(self):
        """The events recorded since the last pop (oldest first), removed from the outbox."""
        with self.lock:
            events, self.outbox = self.outbox, []
            return events

    def sign(self, event, *, secret=None, timestamp=None, stale=False, tamper=False):
        """One event as a Delivery. `secret` overrides the configured one (a wrong secret, or a
        list while a secret rotates: one v1 signature per secret, as Stripe sends); `timestamp`
        signs at that time, `stale` ten minutes ago (past the 300 s tolerance); `tamper` changes
        the body after signing."""
        if stale:
            timestamp = self.now() - 600
        kind = "connect" if event.get("account") else "platform"
        payload = json.dumps(event, indent=2)
        secret = secret or (self.connect_webhook_secret if kind == "connect" else self.webhook_secret)
        header = _signature(payload, secret, self.now() if timestamp is None else timestamp)
        if tamper:
            payload = payload.replace('"livemode": false', '"livemode": true', 1)
        headers = {"Content-Type": "application/json; charset=utf-8", "Stripe-Signature": header,
                   "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)"}
        return Delivery(kind, payload.encode(), headers, event)

    def signed_deliveries(self, events=None, *, duplicate=False, shuffle=None, reverse=False, **sign):
        """The outbox (or `events`) as signed Deliveries; pops the outbox when `events` is None.
        `duplicate` sends each twice, `reverse` newest first, `shuffle` a random.Random seed."""
        events = self.pop_events() if events is None else list(events)
        if duplicate:
            events = [e for event in events for e in (event, event)]
        if reverse:
            events.reverse()
        if shuffle is not None:
            random.Random(shuffle).shuffle(events)
        return [self.sign(event, **sign) for event in events]

    def deliver_to_client(self, client, *, paths=None, **options):
        """Post the signed outbox to a Django test client → the responses."""
        paths = paths or PATHS
        responses = []
        for delivery in self.signed_deliveries(**options):
            responses.append(client.post(paths[delivery.kind], data=delivery.payload,
                                         content_type="application/json",
                                         HTTP_STRIPE_SIGNATURE=delivery.signature))
        return responses

    def deliver_to_url(self, urls, *, timeout=10, **options):
        """Post the signed outbox to `urls` ({"platform": url, "connect": url}) → status codes
        (0 when the URL could not be reached).
        Events whose kind has no URL are dropped, as Stripe sends only to configured endpoints."""
        statuses = []
        for delivery in self.signed_deliveries(**options):
            url = urls.get(delivery.kind)
            if not url:
                continue
            request = urllib.request.Request(url, data=delivery.payload, headers=delivery.headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=timeout) as response:
                    statuses.append(response.status)
            except urllib.error.HTTPError as error:
                statuses.append(error.code)
            except (urllib.error.URLError, OSError):
                statuses.append(0)  # unreachable: Stripe would retry later; the caller sees 0
        return statuses


def _signature(payload, secret, timestamp):
    """The package's own Stripe-Signature header; with several secrets, their v1 parts joined."""
    secrets = [secret] if isinstance(secret, str) else list(secret)
    headers = [stripe.WebhookSignature.generate_signature_header(payload, s, timestamp=timestamp) for s in secrets]
    return ",".join([headers[0]] + [h.split(",", 1)[1] for h in headers[1:]])
