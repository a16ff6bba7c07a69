"""Release throughput (`manage.py bench_money`): N milestones, funded (their fund transaction in
the ledger) and submitted, on distinct engagements of the `bench-sweeps` workspace; C API clients
(threads, each with its own keep-alive HTTP connection) release them through
`POST /api/v1/milestones/{id}/release/` with an Idempotency-Key against the gunicorn of
`server.stack`. Then the ledger is checked: every transaction balances, each milestone was
released exactly once, and its escrow holds nothing any more.
"""

import http.client
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from accounts.models import User, Workspace
from engagements.models import Engagement, Milestone, MilestoneState
from payments.models import Account, AccountKind, Entry, ReviewClock, Transaction
from payments.services.totals import ledger_totals_rebuild

from . import sweeps_data


@dataclass
class Outcome:
    milestones: int
    clients: int
    seconds: float = 0.0
    statuses: dict = field(default_factory=dict)
    latencies: list = field(default_factory=list)
    released_once: int = 0
    released_twice: int = 0
    unbalanced: int = 0
    escrow_left: int = 0

    @property
    def ok(self):
        return sum(n for status, n in self.statuses.items() if 200 <= status < 300)

    @property
    def rate(self):
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, p):
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))] * 1000 if ordered else 0.0


def prepare(count, *, now=None):
    """`count` new milestones, funded and submitted (two days of review left), one on each of the
    last `count` engagements of the sweeps set (none of which a sweep touched). Returns their ids."""
    now = now or timezone.now()
    ws = Workspace.objects.get(slug=sweeps_data.SLUG)
    owner = User.objects.get(email=sweeps_data.OWNER_EMAIL)
    engagements = list(Engagement.objects.filter(workspace=ws).order_by("-pk")[:count])
    if len(engagements) < count:
        raise ValueError(f"The sweeps set has {len(engagements):,} engagements; {count:,} asked for.")
    with transaction.atomic():
        funding = Account.objects.get(workspace=ws, kind=AccountKind.OWNER_FUNDING)
        have = set(Account.objects.filter(kind=AccountKind.ESCROW, engagement__in=engagements)
                   .values_list("engagement_id", flat=True))
        Account.objects.bulk_create([Account(workspace=ws, kind=AccountKind.ESCROW, engagement=e)
                                     for e in engagements if e.pk not in have])
        escrow = dict(Account.objects.filter(kind=AccountKind.ESCROW, engagement__in=engagements)
                      .values_list("engagement_id", "pk"))
        submitted = now - timedelta(days=12)
        milestones = Milestone.objects.bulk_create([
            Milestone(engagement=e, position=9, title="Released by the API benchmark", acceptance_criteria="As agreed.",
                      amount=150_000, currency=e.currency, state=MilestoneState.SUBMITTED, state_changed_at=submitted,
                      review_deadline_at=submitted + timedelta(days=14)) for e in engagements])
        ReviewClock.objects.bulk_create([ReviewClock(milestone=m, submitted_at=submitted, window_days=14,
                                                     deadline_at=m.review_deadline_at) for m in milestones])
        txs = Transaction.objects.bulk_create([
            Transaction(workspace=ws, kind="fund", engagement_id=m.engagement_id, milestone=m,
                        idempotency_key=f"bench-money:fund:{m.pk}", request_fingerprint="0" * 64, actor=owner,
                        created_at=submitted - timedelta(days=7)) for m in milestones])
        Entry.objects.bulk_create([
            entry for tx, m in zip(txs, milestones, strict=True) for entry in (
                Entry(transaction=tx, account_id=funding.pk, amount=-m.amount, currency=m.currency),
                Entry(transaction=tx, account_id=escrow[m.engagement_id], amount=m.amount, currency=m.currency))])
        ledger_totals_rebuild([ws.pk])  # the fundings went in without post(): sum them as post() would have
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE engagements_milestone; ANALYZE payments_entry; ANALYZE payments_transaction")
    return [m.pk for m in milestones]


def token():
    from api import services

    _, key = services.token_create(user=User.objects.get(email=sweeps_data.OWNER_EMAIL),
                                   workspace_slug=sweeps_data.SLUG)
    return key


def release_all(port, key, milestone_ids, *, clients=8, check=True):
    """Each client releases its share of the milestones, one request after the other; then (unless
    `check` is false: the caller checks once it has read its CPU figures) the ledger is read back."""
    outcome = Outcome(len(milestone_ids), clients)
    lock = threading.Lock()
    shares = [milestone_ids[n::clients] for n in range(clients)]

    def client(share):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        statuses, latencies = {}, []
        for pk in share:
            started = time.perf_counter()
            conn.request("POST", f"/api/v1/milestones/{pk}/release/", body=b"{}", headers={
                "Authorization": f"Token {key}", "Idempotency-Key": str(uuid.uuid4()),
                "Content-Type": "application/json", "Host": "localhost"})
            response = conn.getresponse()
            response.read()
            latencies.append(time.perf_counter() - started)
            statuses[response.status] = statuses.get(response.status, 0) + 1
        conn.close()
        with lock:
            for status, n in statuses.items():
                outcome.statuses[status] = outcome.statuses.get(status, 0) + n
            outcome.latencies += latencies

    threads = [threading.Thread(target=client, args=(share,)) for share in shares]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    outcome.seconds = time.perf_counter() - started
    if check:
        check_ledger(outcome, milestone_ids)
    return outcome


def check_ledger(outcome, milestone_ids):
    """The ledger after the run: releases per milestone, balance per transaction, escrow left."""
    per_milestone = dict(Transaction.objects.filter(milestone_id__in=milestone_ids, kind="release")
                         .values("milestone_id").annotate(n=Count("pk")).values_list("milestone_id", "n"))
    outcome.released_once = sum(1 for n in per_milestone.values() if n == 1)
    outcome.released_twice = sum(1 for n in per_milestone.values() if n > 1)
    released = set(Milestone.objects.filter(pk__in=milestone_ids, state=MilestoneState.RELEASED)
                   .values_list("pk", flat=True))
    if released != set(per_milestone):
        outcome.released_twice += len(released ^ set(per_milestone))  # state and ledger disagree
    outcome.unbalanced = (Entry.objects.filter(transaction__milestone_id__in=milestone_ids).values("transaction_id")
                          .annotate(total=Sum("amount")).exclude(total=0).count())
    engagements = Milestone.objects.filter(pk__in=milestone_ids).values("engagement_id")
    escrow = Entry.objects.filter(account__kind=AccountKind.ESCROW, account__engagement_id__in=engagements,
                                  transaction__milestone_id__in=milestone_ids)
    outcome.escrow_left = escrow.aggregate(s=Sum("amount"))["s"] or 0
    return outcome


def line(o):
    codes = ", ".join(f"{n:,} × {status}" for status, n in sorted(o.statuses.items()))
    return (f"{o.ok:,} releases by {o.clients} clients in {o.seconds:.1f} s: {o.rate:.1f}/s, "
            f"p50 {o.percentile(50):.0f} ms, p95 {o.percentile(95):.0f} ms ({codes}); released once "
            f"{o.released_once:,}, twice {o.released_twice}, unbalanced transactions {o.unbalanced}, "
            f"left in their escrow {o.escrow_left}")

