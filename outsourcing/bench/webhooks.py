"""The Stripe rail under load, against the offline fake (payments/tests/stripe_fake/) served on
loopback: the app's processes reach its API over HTTP through `loopback_client` (the provider's
`STRIPE_HTTP_CLIENT` injection point), this process in process.

- webhooks in: milestones paid through Checkout at the fake; every event Stripe would send for
  them, signed, POSTed twice (duplicates included) by concurrent clients to /webhooks/stripe/ on
  gunicorn; timed until every delivery is answered (stored), then until the Celery worker has
  processed every event (each once; every milestone funded once);
- reconciliation: milestones paid and transferred at the fake through the provider's calls, their
  intents recorded as the services record them; the nightly reconciliation timed with its
  queries counted.
"""

import http.client
import os
import threading
import time
from dataclasses import dataclass, field

import stripe
from django.conf import settings
from django.db import connection, reset_queries
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User, Workspace
from engagements.models import Engagement, Milestone, MilestoneState
from payments import services
from payments.models import IntentKind, IntentStatus, ProviderEvent, ProviderIntent, Transaction
from payments.providers import payments_provider
from payments.services.reconciliation import reconciliation_run

from . import sweeps_data

API_ENV = "BENCH_STRIPE_API"
KEY = "sk_test_bench"
_FAKE = []  # this process's fake (in-process transport)


class LoopbackHTTPClient(stripe.HTTPClient):
    """Stripe's own transport, with api.stripe.com replaced by the fake's loopback address."""
    name = "bench-loopback"

    def __init__(self, base, **kwargs):
        super().__init__(**kwargs)
        self.base, self.inner = base, stripe.new_default_http_client()

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        return self.inner.request(method, url.replace("https://api.stripe.com", self.base, 1), headers, post_data)

    def request_stream(self, method, url, headers, post_data=None, *, _usage=None):
        raise NotImplementedError

    def close(self):
        self.inner.close()


def loopback_client():
    """`STRIPE_HTTP_CLIENT` of gunicorn and the worker under the benchmark."""
    return LoopbackHTTPClient(os.environ[API_ENV])


def in_process_client():
    """`STRIPE_HTTP_CLIENT` of this process: the fake answers in process."""
    from payments.tests.stripe_fake import FakeHTTPClient

    return FakeHTTPClient(_FAKE[-1])


def rail_on(fake, api_url):
    """The Stripe rail on in this process (in process) and in the stack's env (over loopback)."""
    _FAKE.append(fake)
    values = {"PAYMENTS_PROVIDER": "stripe", "STRIPE_SECRET_KEY": KEY, "STRIPE_API_VERSION": fake.api_version,
              "STRIPE_WEBHOOK_SECRETS": fake.webhook_secret, "STRIPE_CONNECT_WEBHOOK_SECRETS":
              fake.connect_webhook_secret, "STRIPE_CURRENCIES": "USD,EUR,GBP"}
    for name, value in values.items():
        setattr(settings, name, (value,) if name.endswith("SECRETS") else value)
        os.environ[name] = value
    settings.STRIPE_CURRENCIES = ("USD", "EUR", "GBP")
    settings.STRIPE_PAYMENT_METHODS = ()
    settings.STRIPE_HTTP_CLIENT = "outsourcing.bench.webhooks.in_process_client"
    os.environ["STRIPE_HTTP_CLIENT"] = "outsourcing.bench.webhooks.loopback_client"
    os.environ[API_ENV] = api_url
    from outsourcing.celery import app

    app.conf.task_always_eager = True  # this process's own tasks (the moves after a release) run inline


def milestones(count, offset, label):
    """`count` new draft milestones of 500.00 on engagements of the sweeps set, from `offset`."""
    ws = Workspace.objects.get(slug=sweeps_data.SLUG)
    engagements = list(Engagement.objects.filter(workspace=ws).order_by("pk")[offset:offset + count])
    if len(engagements) < count:
        raise ValueError(f"The sweeps set has too few engagements for {count:,} milestones.")
    return Milestone.objects.bulk_create([
        Milestone(engagement=e, position=10, title=label, acceptance_criteria="As agreed.", amount=50_000,
                  currency=e.currency, state=MilestoneState.DRAFT) for e in engagements])


def owner():
    return User.objects.get(email=sweeps_data.OWNER_EMAIL)


def paid_checkouts(fake, rows, run):
    """Checkout started through the service and paid at the fake, for each milestone → intents."""
    actor, intents = owner(), []
    for m in rows:
        intent = services.milestone_checkout_start(milestone=m, actor=actor, idempotency_key=f"bench-{run}-{m.pk}")
        fake.complete_checkout(intent.provider_id)
        intents.append(intent)
    return intents


@dataclass
class Inbound:
    deliveries: int = 0
    events: int = 0
    answered_seconds: float = 0.0
    processed_seconds: float = 0.0
    statuses: dict = field(default_factory=dict)
    funded: int = 0
    fundings: int = 0
    stored: int = 0
    unprocessed: int = 0

    @property
    def answered_rate(self):
        return self.deliveries / self.answered_seconds if self.answered_seconds else 0.0

    @property
    def processed_rate(self):
        return self.events / self.processed_seconds if self.processed_seconds else 0.0


def post_all(port, deliveries, clients):
    """POST every signed delivery, `clients` keep-alive connections → {status: count}."""
    statuses, lock = {}, threading.Lock()

    def client(share):
        conn, mine = http.client.HTTPConnection("127.0.0.1", port, timeout=60), {}
        for d in share:
            conn.request("POST", "/webhooks/stripe/" if d.kind == "platform" else "/webhooks/stripe/connect/",
                         body=d.payload, headers={**d.headers, "Host": "localhost"})
            response = conn.getresponse()
            response.read()
            mine[response.status] = mine.get(response.status, 0) + 1
        conn.close()
        with lock:
            for status, n in mine.items():
                statuses[status] = statuses.get(status, 0) + n

    threads = [threading.Thread(target=client, args=(deliveries[n::clients],)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


def webhooks_in(fake, port, intents, *, clients=8, timeout=900):
    """Deliver the fake's events for `intents` twice each, then wait for the worker."""
    events = fake.pop_events()
    ids = [e["id"] for e in events]
    deliveries = fake.signed_deliveries(events, duplicate=True, shuffle=1)
    out = Inbound(deliveries=len(deliveries), events=len(events))
    started = time.perf_counter()
    out.statuses = post_all(port, deliveries, clients)
    out.answered_seconds = time.perf_counter() - started
    deadline = time.monotonic() + timeout
    while ProviderEvent.objects.filter(event_id__in=ids, processed_at__isnull=True).exists():
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    out.processed_seconds = time.perf_counter() - started
    out.stored = ProviderEvent.objects.filter(event_id__in=ids).count()
    out.unprocessed = ProviderEvent.objects.filter(event_id__in=ids, processed_at__isnull=True).count()
    pks = [i.milestone_id for i in intents]
    out.funded = Milestone.objects.filter(pk__in=pks, state=MilestoneState.FUNDED).count()
    out.fundings = Transaction.objects.filter(milestone_id__in=pks, kind="fund").count()
    return out


def inbound_ok(o, count):
    return (o.unprocessed == 0 and o.stored == o.events and o.funded == count and o.fundings == count
            and set(o.statuses) == {200})


def released_at_stripe(fake, rows):
    """For each milestone, a Checkout paid and a transfer of its amount made at the fake through
    the provider's own calls, and the two intents recorded as the services record them (in bulk:
    the release path itself is bench_money's). → how many transfers the fake holds."""
    provider, ws = payments_provider(), Workspace.objects.get(slug=sweeps_data.SLUG)
    account = provider.account_create(email="bench-payee@bench.example", country=None, metadata={},
                                      idempotency_key="bench-payee")["id"]
    fake.complete_onboarding(account)
    intents = []
    for m in rows:
        key, currency, meta = f"bench-release-{m.pk}", m.currency, {"milestone": str(m.pk)}
        session = provider.checkout_create(
            amount=m.amount, currency=currency, name=m.title, metadata={**meta, "ledger_key": key},
            transfer_group=f"engagement-{m.engagement_id}", success_url="https://example.com/",
            cancel_url="https://example.com/", idempotency_key=f"{key}:checkout")
        payment_intent = fake.objects[fake.complete_checkout(session.id)["payment_intent"]]
        charge = fake.objects[payment_intent["latest_charge"]]
        transfer = provider.transfer_create(
            amount=m.amount, currency=currency, destination=account, source_transaction=charge["id"],
            transfer_group=f"engagement-{m.engagement_id}", metadata={**meta, "ledger_key": key},
            idempotency_key=f"{key}:transfer")
        common = {"workspace": ws, "engagement_id": m.engagement_id, "milestone": m, "ledger_key": key,
                  "status": IntentStatus.SUCCEEDED, "amount": m.amount, "currency": currency, "attempts": 1}
        intents += [ProviderIntent(kind=IntentKind.CHECKOUT, idempotency_key=f"{key}:checkout", provider_id=session.id,
                                   payment_intent_id=payment_intent["id"], charge_id=charge["id"],
                                   fee=fake.objects[charge["balance_transaction"]]["fee"], **common),
                    ProviderIntent(kind=IntentKind.TRANSFER, idempotency_key=f"{key}:transfer",
                                   provider_id=transfer["id"], **common)]
    ProviderIntent.objects.bulk_create(intents)
    fake.pop_events()
    return len(fake.objects_of("transfer"))


def fee_reserve(fake):
    """The platform's own money put in for Stripe's fees, as an operator keeps it: under separate
    charges and transfers the fees are the platform's cost, so without it the nightly check that
    held funds never exceed the balance flags exactly the fees (README, "Stripe's fee")."""
    fees = {}
    for bt in fake.objects_of("balance_transaction"):
        fees[bt["currency"]] = fees.get(bt["currency"], 0) + bt["fee"]
    for currency, amount in fees.items():
        if amount:
            fake.add_balance(amount, currency)


@dataclass
class Reconciled:
    transfers: int
    seconds: float
    queries: int
    matched: int
    unexplained: int


def reconcile(transfers):
    """The nightly reconciliation, timed, its queries counted."""
    reset_queries()  # the log keeps the last 9,000 only: the count starts from an empty one
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        runs = reconciliation_run(now=timezone.now())
        seconds = time.perf_counter() - started
    return Reconciled(transfers, seconds, len(queries), sum(r.matched for r in runs),
                      sum(r.unexplained_count for r in runs))


def intents_by_status():
    rows = ProviderIntent.objects.filter(kind__in=[IntentKind.CHECKOUT, IntentKind.TRANSFER]).values(
        "kind", "status").annotate(n=Count("id"))
    return {(r["kind"], r["status"]): r["n"] for r in rows if r["status"] != IntentStatus.SUCCEEDED}

