"""A realistic synthetic data set for the benchmark (`manage.py bench_data`), reproducible from a
seed: workspaces with owners and managers, freelancers through every vetting stage, engagements in
every status (one workspace holding most of them, one freelancer with a portal login holding a
thousand), milestones in every state with the ledger lines each state implies (balanced, as the
services would have written them), status updates, check-ins, briefs, messages and sent emails.

Rows go in with `bulk_create` in chunks, inside one transaction (the ledger's deferred balance
check runs once at commit). Everything belongs to workspaces whose slug starts with `bench-`;
the ledger is append-only, so a set is replaced by emptying the whole (benchmark) database.
"""

import random
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Membership, Role, User, Workspace
from engagements.models import (
    Brief,
    CheckIn,
    Engagement,
    EngagementStatus,
    Message,
    Milestone,
    MilestoneState,
    StatusUpdate,
)
from freelancers.models import Freelancer, FreelancerStatus
from notifications.models import Notification, NotificationStatus
from payments.models import Account, AccountKind, Dispute, DisputeSide, Entry, Payout, ReviewClock, Transaction
from payments.services.totals import ledger_totals_rebuild
from portal.models import PortalAccess

CHUNK = 5000
PASSWORD = "bench-password"  # every bench user's password, for the load generator's logins
HEAVY_FREELANCER_EMAIL = "bench-heavy@bench.example"
MAIN_OWNER_EMAIL = "bench-owner-0@bench.example"
ZONES = ["Europe/Lisbon", "America/New_York", "Asia/Manila", "Europe/Berlin", "America/Sao_Paulo", "Asia/Kolkata"]
WORDS = ["logo", "landing", "page", "copywriting", "video", "edit", "podcast", "newsletter", "bookkeeping",
         "shopify", "migration", "illustration", "onboarding", "email", "sequence", "ads", "campaign",
         "photography", "research", "translation"]
# Engagement statuses and their weights; milestone states weighted per engagement status.
STATUS_MIX = [(EngagementStatus.ACTIVE, 70), (EngagementStatus.PAUSED, 5), (EngagementStatus.OFFERED, 5),
              (EngagementStatus.DRAFT, 5), (EngagementStatus.COMPLETED, 12), (EngagementStatus.CANCELLED, 3)]
S = MilestoneState
RUNNING_MIX = [(S.DRAFT, 25), (S.FUNDED, 25), (S.SUBMITTED, 10), (S.CHANGES_REQUESTED, 5), (S.DISPUTED, 2),
               (S.RELEASED, 30), (S.REFUNDED, 2), (S.SPLIT, 1)]


@dataclass
class Sizes:
    workspaces: int = 10
    freelancers: int = 2000
    engagements: int = 10_000
    milestones: int = 50_000
    status_updates: int = 200_000
    notifications: int = 50_000
    messages: int = 20_000
    transactions: int = 100_000  # ledger transactions; bonuses top up what the milestones imply
    heavy_engagements: int = 1000  # held by the one freelancer with a portal login


@dataclass
class Built:
    counts: dict = field(default_factory=dict)


def exists():
    return Workspace.objects.filter(slug__startswith="bench-").exists()


def build(sizes: Sizes, *, seed=1, now=None) -> Built:
    rng = random.Random(seed)
    now = now or timezone.now()
    built = Built()
    with transaction.atomic():
        workspaces, owners = _workspaces(sizes, now, built)
        freelancers, heavy = _freelancers(rng, sizes, workspaces, now, built)
        engagements = _engagements(rng, sizes, workspaces, owners, freelancers, heavy, now, built)
        milestones = _milestones(rng, sizes, engagements, now, built)
        _ledger(rng, sizes, workspaces, owners, engagements, milestones, now, built)
        _reporting(rng, sizes, engagements, now, built)
        _talk(rng, sizes, workspaces, owners, engagements, now, built)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return built


def _bulk(model, rows, built, name=None):
    made = []
    for start in range(0, len(rows), CHUNK):
        made.extend(model.objects.bulk_create(rows[start:start + CHUNK]))
    key = name or model._meta.verbose_name_plural
    built.counts[key] = built.counts.get(key, 0) + len(rows)
    return made


def _pick(rng, mix):
    return rng.choices([v for v, _ in mix], weights=[w for _, w in mix])[0]


def _workspaces(sizes, now, built):
    password = make_password(PASSWORD)
    workspaces = _bulk(Workspace, [Workspace(name=f"Bench studio {i}", slug=f"bench-{i}", created_at=now)
                                   for i in range(sizes.workspaces)], built)
    owners = _bulk(User, [User(email=f"bench-owner-{i}@bench.example", full_name=f"Owner {i}", password=password)
                          for i in range(sizes.workspaces)], built, "users")
    managers = _bulk(User, [User(email=f"bench-manager-{i}@bench.example", full_name=f"Manager {i}",
                                 password=password) for i in range(sizes.workspaces)], built, "users")
    pairs = [(u, w, Role.OWNER) for u, w in zip(owners, workspaces, strict=True)]
    pairs += [(u, w, Role.MANAGER) for u, w in zip(managers, workspaces, strict=True)]
    _bulk(Membership, [Membership(user=u, workspace=w, role=role) for u, w, role in pairs], built)
    return workspaces, owners


def _main_share(count, workspaces):
    """Which workspace each of `count` rows belongs to: 90% in the first, the rest spread."""
    main = count * 9 // 10
    rest = len(workspaces) - 1
    return [workspaces[0] if i < main or not rest else workspaces[1 + i % rest] for i in range(count)]


def _freelancers(rng, sizes, workspaces, now, built):
    heavy_user = _bulk(User, [User(email=HEAVY_FREELANCER_EMAIL, full_name="Heavy Freelancer",
                                   password=make_password(PASSWORD))], built, "users")[0]
    rows, seen = [], set()
    for i, ws in enumerate(_main_share(sizes.freelancers, workspaces)):
        # Most are approved (engagements need them); every workspace has at least one.
        status = FreelancerStatus.APPROVED if i % 4 and ws.pk in seen else rng.choice(list(FreelancerStatus))
        status = status if ws.pk in seen else FreelancerStatus.APPROVED
        seen.add(ws.pk)
        rows.append(Freelancer(
            workspace=ws, name=f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} {i}",
            email=f"freelancer-{i}@bench.example", headline=" ".join(rng.sample(WORDS, 3)),
            skills=rng.sample(WORDS, 2), timezone=rng.choice(ZONES), rate_amount=rng.randint(20, 150),
            status=status, created_at=now - timedelta(days=rng.randint(30, 700)), status_changed_at=now,
            user=heavy_user if i == 0 else None))
    rows[0].name = "Heavy Freelancer"
    freelancers = _bulk(Freelancer, rows, built)
    # The heavy freelancer entered the portal by invitation, which opens their portal access; without
    # the row their first page created it (4 statements the bench counted: portal home 18, not 14).
    _bulk(PortalAccess, [PortalAccess(freelancer=freelancers[0], joined_at=now - timedelta(days=30),
                                      updated_at=now)], built)
    return freelancers, freelancers[0]


def _engagements(rng, sizes, workspaces, owners, freelancers, heavy, now, built):
    by_workspace = {}
    for f in freelancers:
        if f.status == FreelancerStatus.APPROVED and (f.pk != heavy.pk or len(freelancers) == 1):
            by_workspace.setdefault(f.workspace_id, []).append(f)
    owner_of = {ws.pk: owner for ws, owner in zip(workspaces, owners, strict=True)}
    rows = []
    for i, ws in enumerate(_main_share(sizes.engagements, workspaces)):
        person = heavy if ws.pk == heavy.workspace_id and i < sizes.heavy_engagements else rng.choice(
            by_workspace[ws.pk])
        status = _pick(rng, STATUS_MIX)
        started = now - timedelta(days=rng.randint(10, 300))
        running = status in (EngagementStatus.ACTIVE, EngagementStatus.PAUSED)
        due = now + timedelta(hours=rng.randint(-72, 240)) if status == EngagementStatus.ACTIVE else None
        rows.append(Engagement(
            workspace=ws, freelancer=person, title=f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} #{i}",
            budget=rng.randint(20, 400) * 10_000, currency="EUR" if i % 10 == 3 else "USD",
            status=status, created_by=owner_of[ws.pk], created_at=started, starts_on=started.date(),
            offered_at=started if status != EngagementStatus.DRAFT else None,
            activated_at=started + timedelta(days=1) if running or status == EngagementStatus.COMPLETED else None,
            ended_at=now - timedelta(days=rng.randint(1, 30)) if status in (
                EngagementStatus.COMPLETED, EngagementStatus.CANCELLED) else None,
            next_update_due_at=due, update_reminder_at=due, last_activity_at=now - timedelta(days=rng.randint(0, 9)),
            quiet_check_at=now + timedelta(hours=rng.randint(-24, 200)) if due else None,
            next_checkin_at=now + timedelta(days=rng.randint(0, 14)) if due else None))
    return _bulk(Engagement, rows, built)


def _milestones(rng, sizes, engagements, now, built):
    rows = []
    per = max(1, sizes.milestones // max(1, len(engagements)))
    for e in engagements:
        for n in range(per):
            if e.status in (EngagementStatus.DRAFT, EngagementStatus.OFFERED):
                state = S.DRAFT
            elif e.status == EngagementStatus.COMPLETED:
                state = S.RELEASED
            elif e.status == EngagementStatus.CANCELLED:
                state = rng.choice([S.RELEASED, S.REFUNDED])
            else:
                state = _pick(rng, RUNNING_MIX)
            due_at = now + timedelta(days=rng.randint(-20, 60))
            rows.append(Milestone(
                engagement=e, position=n, title=f"Milestone {n + 1}: {rng.choice(WORDS)}",
                acceptance_criteria="Delivered as agreed in the brief.", due_on=due_at.date(), due_at=due_at,
                amount=rng.randint(5, 200) * 10_000, currency=e.currency, state=state,
                review_deadline_at=now + timedelta(hours=rng.randint(-12, 300)) if state == S.SUBMITTED else None,
                state_changed_at=now - timedelta(days=rng.randint(0, 20)),
                due_reminder_at=due_at - timedelta(days=2) if state in (S.DRAFT, S.FUNDED, S.CHANGES_REQUESTED)
                and e.status == EngagementStatus.ACTIVE else None))
    return _bulk(Milestone, rows, built)


FUNDED = {S.FUNDED, S.SUBMITTED, S.CHANGES_REQUESTED, S.DISPUTED, S.RELEASED, S.REFUNDED, S.SPLIT}


def _ledger(rng, sizes, workspaces, owners, engagements, milestones, now, built):
    """The transactions each milestone's state implies, as the services write them: fund (owner
    funding → escrow), then release (escrow → payable) or refund (escrow → owner funding), a
    dispute's recorded freeze and its split, payouts (payable → paid out) for most released work,
    and bonuses (owner funding → payable) up to the number of transactions asked for."""
    book = _Book(rng, workspaces, owners, engagements, built)
    by_engagement = {e.pk: e for e in engagements}
    for m in milestones:
        if m.state in FUNDED:
            book.milestone(m, by_engagement[m.engagement_id])
    running = [e for e in engagements if e.activated_at is not None]
    for n in range(max(0, sizes.transactions - len(book.txs)) if running else 0):
        e = running[n % len(running)]
        amount = rng.randint(1, 50) * 1000
        book.post("bonus", None, e, [(book.funding[e.workspace_id], -amount), (book.payable[e.freelancer_id], amount)],
                  now - timedelta(days=rng.randint(0, 200)), key=n)
    book.save()


class _Book:
    """The ledger being written: its accounts, and the rows to insert in bulk at the end."""

    def __init__(self, rng, workspaces, owners, engagements, built):
        self.rng, self.built = rng, built
        self.owner_of = {ws.pk: owner for ws, owner in zip(workspaces, owners, strict=True)}
        self.funding = {a.workspace_id: a for a in _bulk(Account, [
            Account(workspace=ws, kind=AccountKind.OWNER_FUNDING) for ws in workspaces], built)}
        self.escrow = {a.engagement_id: a for a in _bulk(Account, [
            Account(workspace_id=e.workspace_id, kind=AccountKind.ESCROW, engagement=e) for e in engagements], built)}
        people = {(e.freelancer_id, e.workspace_id) for e in engagements}
        accounts = _bulk(Account, [Account(workspace_id=ws, kind=kind, freelancer_id=f) for f, ws in people
                                   for kind in (AccountKind.PAYABLE, AccountKind.PAID_OUT)], built)
        self.payable = {a.freelancer_id: a for a in accounts if a.kind == AccountKind.PAYABLE}
        self.paid_out = {a.freelancer_id: a for a in accounts if a.kind == AccountKind.PAID_OUT}
        self.txs, self.lines, self.disputes, self.payouts, self.clocks = [], [], [], [], []

    def post(self, kind, m, e, moves, at, key=None):
        tx = Transaction(workspace_id=e.workspace_id, kind=kind, engagement=e, milestone=m,
                         idempotency_key=f"bench:{kind}:{m.pk if key is None else key}", request_fingerprint="0" * 64,
                         actor=self.owner_of[e.workspace_id], created_at=at)
        self.txs.append(tx)
        self.lines.append([(tx, account, amount, e.currency) for account, amount in moves])
        return tx

    def milestone(self, m, e):
        escrow, payable, funding = self.escrow[e.pk], self.payable[e.freelancer_id], self.funding[e.workspace_id]
        self.post("fund", m, e, [(funding, -m.amount), (escrow, m.amount)], m.state_changed_at - timedelta(days=7))
        if m.state == S.RELEASED:
            self.post("release", m, e, [(escrow, -m.amount), (payable, m.amount)], m.state_changed_at)
            if self.rng.random() < 0.7:
                self._payout(m, e)
        elif m.state == S.REFUNDED:
            self.post("refund", m, e, [(escrow, -m.amount), (funding, m.amount)], m.state_changed_at)
        elif m.state in (S.DISPUTED, S.SPLIT):
            self._dispute(m, e)
        elif m.state == S.SUBMITTED:
            self.clocks.append(ReviewClock(milestone=m, submitted_at=m.state_changed_at, window_days=14,
                                           deadline_at=m.review_deadline_at))

    def _payout(self, m, e):
        paid = m.state_changed_at + timedelta(days=2)
        tx = self.post("payout", m, e, [(self.payable[e.freelancer_id], -m.amount),
                                        (self.paid_out[e.freelancer_id], m.amount)], paid)
        self.payouts.append(Payout(workspace_id=e.workspace_id, freelancer_id=e.freelancer_id, engagement=e,
                                   amount=m.amount, currency=m.currency, method="bank transfer",
                                   reference=f"BENCH-{m.pk}", paid_on=paid.date(), gateway="off-platform",
                                   transaction=tx))

    def _dispute(self, m, e):
        owner = self.owner_of[e.workspace_id]
        tx = self.post("dispute", m, e, [], m.state_changed_at - timedelta(days=3))
        dispute = Dispute(milestone=m, raised_by=owner, side=DisputeSide.OWNER, reason="Not what the brief asked for.",
                          from_state=S.SUBMITTED, escrowed=m.amount, currency=m.currency, opened_at=tx.created_at,
                          opened_transaction=tx)
        if m.state == S.SPLIT:  # resolved: half to the freelancer, the rest back to the owner
            half = m.amount // 2
            dispute.resolution_transaction = self.post(
                "resolve", m, e, [(self.escrow[e.pk], -m.amount), (self.payable[e.freelancer_id], half),
                                  (self.funding[e.workspace_id], m.amount - half)], m.state_changed_at)
            dispute.resolved_at, dispute.resolved_by = m.state_changed_at, owner
            dispute.outcome, dispute.release_amount, dispute.refund_amount = "split", half, m.amount - half
        self.disputes.append(dispute)

    def save(self):
        _bulk(Transaction, self.txs, self.built)
        _bulk(Entry, [Entry(transaction=tx, account=account, amount=amount, currency=currency)
                      for group in self.lines for tx, account, amount, currency in group], self.built)
        ledger_totals_rebuild()  # the entries went in without post(): sum them as post() would have
        _bulk(Dispute, self.disputes, self.built)
        _bulk(Payout, self.payouts, self.built)
        _bulk(ReviewClock, self.clocks, self.built)


def _reporting(rng, sizes, engagements, now, built):
    running = [e for e in engagements if e.activated_at is not None]
    updates, briefs, checkins = [], [], []
    for i in range(sizes.status_updates if running else 0):
        e = running[i % len(running)]
        at = now - timedelta(days=(i // len(running)) * 3 + rng.random())
        updates.append(StatusUpdate(engagement=e, workspace_id=e.workspace_id, freelancer_id=e.freelancer_id,
                                    done=" ".join(rng.sample(WORDS, 6)),
                                    next=" ".join(rng.sample(WORDS, 5)), percent_complete=rng.randint(0, 100),
                                    due_at=at, late=rng.random() < 0.15, created_at=at))
    for e in engagements:
        sent = e.offered_at
        briefs.append(Brief(engagement=e, version=1, goal=f"Deliver the {e.title.lower()} for our customers.",
                            deliverables=" ".join(rng.sample(WORDS, 8)), acceptance_criteria="Matches the examples.",
                            sent_at=sent, acknowledged_at=e.activated_at,
                            acknowledged_by_id=e.freelancer_id if e.activated_at else None, created_at=e.created_at))
        if e.next_checkin_at:
            checkins.append(CheckIn(engagement=e, scheduled_at=e.next_checkin_at, agenda="Weekly check-in"))
    _bulk(StatusUpdate, updates, built)
    _bulk(Brief, briefs, built)
    _bulk(CheckIn, checkins, built)


def _talk(rng, sizes, workspaces, owners, engagements, now, built):
    owner_of = {ws.pk: owner for ws, owner in zip(workspaces, owners, strict=True)}
    live = [e for e in engagements if e.offered_at is not None] or engagements
    messages = []
    for i in range(sizes.messages):
        e = live[i % len(live)]
        mine = i % 2 == 0
        messages.append(Message(
            engagement=e, workspace_id=e.workspace_id, author_user=owner_of[e.workspace_id] if mine else None,
            author_freelancer_id=None if mine else e.freelancer_id,
            author_name=owner_of[e.workspace_id].full_name if mine else "Freelancer",
            body=" ".join(rng.sample(WORDS, 7)), created_at=now - timedelta(minutes=(sizes.messages - i) * 7)))
    _bulk(Message, messages, built)
    notes = []
    for i in range(sizes.notifications):
        e = engagements[i % len(engagements)]
        at = now - timedelta(minutes=i * 3)
        notes.append(Notification(
            workspace_id=e.workspace_id, recipient_user=owner_of[e.workspace_id],
            recipient_email=owner_of[e.workspace_id].email, kind="status_update_posted",
            dedupe_key=f"bench:{i}", engagement_id=e.pk, status=NotificationStatus.SENT,
            subject=f"New status update on {e.title}", created_at=at, sent_at=at))
    _bulk(Notification, notes, built)
