"""A bounded, mixed load (`manage.py bench_load`): for a fixed time (at most a minute), against a
live gunicorn on loopback, reader threads walk the owner's pages (with a signed-in session) and
the API's lists (with the owner's token) while money clients, one engagement each, take
milestones through the API one after the other — fund, submit (the freelancer's token),
release, each money action with a fresh Idempotency-Key, and every release sent a second time
with the same key (a client's retry, which must replay the first answer). Afterwards the
ledger of the run's own workspace is read back; a discrepancy is anything it holds that the
answers the clients got do not account for.

Every run makes a workspace of its own (`bench-load-<random>`), so runs never disturb each
other or the other benchmarks' data.
"""

import http.client
import json
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlparse

from django.conf import settings
from django.db.models import Count, Sum
from django.test import Client
from django.utils import timezone

from accounts.models import Membership, Role, User, Workspace
from api.models import ApiToken, TokenRole
from engagements.models import Engagement, EngagementStatus, Milestone, MilestoneState
from freelancers.models import Freelancer, FreelancerStatus
from payments.models import AccountKind, Entry, Transaction, TransactionKind
from payments.selectors.balances import HELD_STATES

AMOUNT = 10_000  # each milestone, in cents
MAX_SECONDS = 60


@dataclass
class Cast:
    """What the clients need: the owner's session cookie and token, and per money client its
    engagement's draft milestones and its freelancer's token."""

    workspace_id: int
    cookie: str
    owner_token: str
    engagement_ids: list
    freelancer_tokens: list
    drafts: list  # one list of milestone ids per money client

    def pages(self):
        first = self.engagement_ids[0]
        owner = [("GET", path, "session") for path in (
            "/", "/engagements/", f"/engagements/{first}/", "/freelancers/", "/payments/", "/notifications/inbox/")]
        api = [("GET", f"/api/v1{path}", "token") for path in (
            "/engagements/", "/freelancers/", f"/engagements/{first}/milestones/", "/attention/", "/notifications/")]
        return owner + api


@dataclass
class Outcome:
    seconds: float = 0.0
    answers: Counter = field(default_factory=Counter)  # (kind, status) → n; status 0: no answer
    latencies: dict = field(default_factory=dict)  # kind → [seconds]
    errors: list = field(default_factory=list)  # the first few, as "METHOD path → status body"
    released: list = field(default_factory=list)  # milestones whose release answered 2xx
    discrepancies: list = field(default_factory=list)

    def count(self, kind=None, ok=None):
        return sum(n for (k, status), n in self.answers.items()
                   if (kind is None or k == kind) and (ok is None or (200 <= status < 300) == ok))

    @property
    def error_count(self):
        return self.count(ok=False)

    def percentile(self, kind, p):
        ordered = sorted(self.latencies.get(kind, []))
        return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))] * 1000 if ordered else 0.0


# --- The data ---------------------------------------------------------------------------------
def prepare(*, clients, milestones_per_client, now=None):
    """A workspace of the run's own: its owner (signed in), one approved freelancer with a
    portal login and one active engagement per money client, each with its draft milestones."""
    now = now or timezone.now()
    tag = uuid.uuid4().hex[:8]
    ws = Workspace.objects.create(name=f"Bench load {tag}", slug=f"bench-load-{tag}", timezone="UTC")
    owner = User.objects.create_user(email=f"load-owner-{tag}@bench.example", password=None,
                                     full_name="Load Owner")
    Membership.objects.create(user=owner, workspace=ws, role=Role.OWNER)
    engagements, tokens, drafts = [], [], []
    for n in range(clients):
        user = User.objects.create_user(email=f"load-{tag}-{n}@bench.example", password=None,
                                        full_name=f"Load Freelancer {n}")
        person = Freelancer.objects.create(workspace=ws, name=f"Load Freelancer {n}", email=user.email, user=user,
                                           status=FreelancerStatus.APPROVED, status_changed_at=now, timezone="UTC")
        later = now + timedelta(days=7)
        engagement = Engagement.objects.create(
            workspace=ws, freelancer=person, title=f"Load engagement {n}", currency="USD", created_by=owner,
            budget=AMOUNT * milestones_per_client, status=EngagementStatus.ACTIVE, offered_at=now - timedelta(days=2),
            activated_at=now - timedelta(days=1), next_update_due_at=later, update_reminder_at=later,
            last_activity_at=now, quiet_check_at=later)
        milestones = Milestone.objects.bulk_create([
            Milestone(engagement=engagement, position=i, title=f"Part {i}", acceptance_criteria="As agreed.",
                      amount=AMOUNT, currency="USD", state=MilestoneState.DRAFT, state_changed_at=now)
            for i in range(milestones_per_client)])
        engagements.append(engagement.pk)
        tokens.append(ApiToken.issue(user=user, workspace=ws, role=TokenRole.FREELANCER, freelancer=person)[1])
        drafts.append([m.pk for m in milestones])
    client = Client()
    client.force_login(owner)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    _, owner_token = ApiToken.issue(user=owner, workspace=ws, role=TokenRole.OWNER)
    return Cast(ws.pk, cookie, owner_token, engagements, tokens, drafts)


# --- The clients ------------------------------------------------------------------------------
class Session:
    """One client's keep-alive connection; records every answer in the shared outcome."""

    def __init__(self, base_url, cast, outcome, lock):
        parsed = urlparse(base_url)
        self.conn = http.client.HTTPConnection(parsed.hostname, parsed.port or 80, timeout=60)
        self.cast, self.outcome, self.lock = cast, outcome, lock

    def send(self, kind, method, path, *, auth, body=None, key=None):
        headers = {"Host": "localhost", "Content-Type": "application/json"}
        if auth == "session":
            headers["Cookie"] = self.cast.cookie
        else:
            headers["Authorization"] = f"Token {auth if auth != 'token' else self.cast.owner_token}"
        if key:
            headers["Idempotency-Key"] = key
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            status, text = response.status, response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            status, text = 0, repr(exc).encode()
        elapsed = time.perf_counter() - started
        with self.lock:
            self.outcome.answers[(kind, status)] += 1
            self.outcome.latencies.setdefault(kind, []).append(elapsed)
            if not 200 <= status < 300 and len(self.outcome.errors) < 10:
                self.outcome.errors.append(f"{method} {path} → {status} {text[:300].decode(errors='replace')}")
        return status, text


def _reader(session, deadline, offset):
    pages = session.cast.pages()
    n = offset
    while time.monotonic() < deadline:
        method, path, auth = pages[n % len(pages)]
        session.send("api list" if path.startswith("/api/") else "owner page", method, path, auth=auth)
        n += 1


def _money(session, deadline, index):
    """fund → submit → release → the release again with its key, milestone after milestone."""
    freelancer_token = session.cast.freelancer_tokens[index]
    for pk in session.cast.drafts[index]:
        if time.monotonic() >= deadline:
            return
        base = f"/api/v1/milestones/{pk}"
        status, _ = session.send("fund", "POST", f"{base}/fund/", auth="token", body=b"{}", key=str(uuid.uuid4()))
        if status != 200:
            continue
        work = b'{"message": "Done, see the link.", "links": ["https://example.com/w"], "attest_own_work": true}'
        status, _ = session.send("submit", "POST", f"{base}/submit/", auth=freelancer_token, body=work)
        if status != 200:
            continue
        key = str(uuid.uuid4())
        status, first = session.send("release", "POST", f"{base}/release/", auth="token", body=b"{}", key=key)
        if status != 200:
            continue
        with session.lock:
            session.outcome.released.append(pk)
        again, replayed = session.send("release retried", "POST", f"{base}/release/", auth="token", body=b"{}",
                                       key=key)
        if again == 200 and json.loads(replayed) != json.loads(first):  # the same answer, keys in any order
            with session.lock:
                session.outcome.discrepancies.append(f"milestone {pk}: the retried release answered otherwise")


def run(base_url, cast, *, seconds, readers):
    """The clients, all at once, until `seconds` have passed; then the ledger read back."""
    seconds = min(seconds, MAX_SECONDS)
    outcome, lock = Outcome(), threading.Lock()
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=_reader, args=(Session(base_url, cast, outcome, lock), deadline, n * 3))
               for n in range(readers)]
    threads += [threading.Thread(target=_money, args=(Session(base_url, cast, outcome, lock), deadline, n))
                for n in range(len(cast.drafts))]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcome.seconds = time.perf_counter() - started
    outcome.discrepancies += audit(cast, released=outcome.released)
    return outcome


# --- The ledger afterwards --------------------------------------------------------------------
def audit(cast, *, released):
    """What the ledger of the run's workspace holds that it should not: an unbalanced
    transaction; a milestone released twice, or released in the ledger but not in its state (or
    the reverse), or released without a client having been told so; an engagement whose escrow
    is not the sum of its funded-but-unfinished milestones; a freelancer owed other than the
    released work; owner funding other than what went into escrow."""
    problems = []
    txs = Transaction.objects.filter(workspace_id=cast.workspace_id)
    unbalanced = (Entry.objects.filter(transaction__in=txs).values("transaction_id").annotate(total=Sum("amount"))
                  .exclude(total=0).values_list("transaction_id", flat=True))
    problems += [f"transaction {pk} does not sum to zero" for pk in unbalanced]
    releases = dict(txs.filter(kind=TransactionKind.RELEASE).values("milestone_id").annotate(n=Count("pk"))
                    .values_list("milestone_id", "n"))
    problems += [f"milestone {pk} released {n} times" for pk, n in releases.items() if n != 1]
    milestones = Milestone.objects.filter(engagement__workspace_id=cast.workspace_id)
    in_state = set(milestones.filter(state=MilestoneState.RELEASED).values_list("pk", flat=True))
    problems += [f"milestone {pk}: state and ledger disagree on its release" for pk in in_state ^ set(releases)]
    problems += [f"milestone {pk} released, no client was told so" for pk in in_state - set(released)]
    problems += [f"milestone {pk}: a client was told it was released, it is not" for pk in set(released) - in_state]
    balances = dict(Entry.objects.filter(account__workspace_id=cast.workspace_id).values("account_id")
                    .annotate(total=Sum("amount")).values_list("account_id", "total"))
    problems += _accounts(cast, milestones, balances)
    return problems


def _accounts(cast, milestones, balances):
    from payments.models import Account

    problems = []
    held = dict(milestones.filter(state__in=HELD_STATES).values("engagement_id").annotate(s=Sum("amount"))
                .values_list("engagement_id", "s"))
    owed = dict(milestones.filter(state=MilestoneState.RELEASED).values("engagement__freelancer_id")
                .annotate(s=Sum("amount")).values_list("engagement__freelancer_id", "s"))
    total_in = 0
    for account in Account.objects.filter(workspace_id=cast.workspace_id):
        balance = balances.get(account.pk, 0)
        if account.kind == AccountKind.ESCROW:
            expected = held.get(account.engagement_id, 0)
        elif account.kind == AccountKind.PAYABLE:
            expected = owed.get(account.freelancer_id, 0)
        elif account.kind == AccountKind.OWNER_FUNDING:
            expected = -(sum(held.values()) + sum(owed.values()))
        else:
            expected = 0
        total_in += balance
        if balance != expected:
            problems.append(f"{account.kind} account {account.pk} holds {balance}, expected {expected}")
    if total_in != 0:
        problems.append(f"the workspace's accounts sum to {total_in}, not zero")
    return problems


# --- Reporting --------------------------------------------------------------------------------
KINDS = ("owner page", "api list", "fund", "submit", "release", "release retried")


def line(o):
    parts = [f"{kind} {o.count(kind):,} (p95 {o.percentile(kind, 95):.0f} ms)" for kind in KINDS]
    return (f"{o.count():,} requests in {o.seconds:.1f} s ({o.count() / o.seconds if o.seconds else 0:.1f}/s): "
            f"{', '.join(parts)}; {o.error_count} errors, {len(o.released)} released, "
            f"{len(o.discrepancies)} ledger discrepancies")
