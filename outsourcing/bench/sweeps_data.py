"""The sweeps benchmark's data (`manage.py bench_sweeps`): one workspace of its own (`bench-sweeps`)
with N active engagements, and for every beat sweep a group of `due` rows whose ladder really
acts when it runs now (read from each ladder's due query and `decide`); every other row carries
the same ladder columns set in the future, so each partial index holds N rows of which `due`
are due, as in a busy deployment.

Groups, one slice of the engagements each: status update overdue (step 0 → reminder), gone
quiet (silent for 6 days), check-in cadence passed (none planned), a check-in tomorrow (the
agenda), a funded milestone due in a day (the "due soon" reminder), a brief sent 3 days ago and
not acknowledged, a submitted milestone whose review window closes in 2 days (the owner's
warning), a submitted milestone whose window closed an hour ago (auto-release), a submitted week
of an hourly engagement past its approval window (auto-approve). Besides: `due` emails stuck in
the outbox (queued ten minutes ago, never handed over) and the workspace's digest due now.
Around them, what the partial indexes must skip: every other engagement's check-in planned
for later, earlier weeks of hourly work approved, an email already sent per engagement.
Funded and submitted milestones have their fund transaction in the ledger (owner funding →
escrow) so releases balance. Bulk inserts in chunks, inside one transaction.
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
    Milestone,
    MilestoneState,
    PayTerms,
)
from freelancers.models import Freelancer, FreelancerStatus
from notifications.models import Notification, NotificationStatus
from notifications.quiet import is_decent
from payments.models import Account, AccountKind, Entry, ReviewClock, TimeEntry, Timesheet, TimesheetState, Transaction
from payments.services.totals import ledger_totals_rebuild

from .data import CHUNK, PASSWORD, ZONES

SLUG = "bench-sweeps"
OWNER_EMAIL = "bench-sweeps-owner@bench.example"
GROUPS = ("status", "silence", "cadence", "checkin", "milestone", "brief", "review", "release", "timesheet")
# Time zones the workspace and its owner may take: the first where it is daytime now, so the
# digest is due and the owner's emails are not held until 08:00 (the freelancers' zones are mixed).
DAYTIME_ZONES = ("UTC", "Europe/Berlin", "Asia/Kolkata", "Asia/Tokyo", "Pacific/Auckland", "America/New_York",
                 "America/Los_Angeles", "Pacific/Honolulu")


@dataclass
class SweepSet:
    engagements: int
    due: int
    workspace_id: int = 0
    groups: dict = field(default_factory=dict)  # group → [engagement ids]
    counts: dict = field(default_factory=dict)


def exists():
    return Workspace.objects.filter(slug=SLUG).exists()


def daytime_zone(now):
    return next((tz for tz in DAYTIME_ZONES if is_decent(now, tz) and is_decent(now + timedelta(hours=2), tz)), "UTC")


def build(*, engagements=100_000, due=10_000, freelancers=1000, seed=1, now=None) -> SweepSet:
    if due * len(GROUPS) > engagements:
        raise ValueError(f"{len(GROUPS)} groups of {due:,} due rows need at least {due * len(GROUPS):,} engagements.")
    rng = random.Random(seed)
    now = now or timezone.now()
    built = SweepSet(engagements, due)
    with transaction.atomic():
        tz = daytime_zone(now)
        ws = Workspace.objects.create(name="Bench sweeps", slug=SLUG, timezone=tz,
                                      next_digest_at=now - timedelta(minutes=1))
        owner = User.objects.create(email=OWNER_EMAIL, full_name="Sweeps Owner", timezone=tz,
                                    password=make_password(PASSWORD))
        Membership.objects.create(user=owner, workspace=ws, role=Role.OWNER)
        built.workspace_id = ws.pk
        people = _bulk(Freelancer, [
            Freelancer(workspace=ws, name=f"Sweeps Freelancer {i}", email=f"sweeps-{i}@bench.example",
                       timezone=rng.choice(ZONES), status=FreelancerStatus.APPROVED, rate_amount=50,
                       status_changed_at=now) for i in range(freelancers)], built)
        rows = _engagements(ws, owner, people, now, built)
        for n, group in enumerate(GROUPS):
            built.groups[group] = [e.pk for e in rows[n * due:(n + 1) * due]]
        by_group = {g: rows[n * due:(n + 1) * due] for n, g in enumerate(GROUPS)}
        _checkins(rows, by_group, now, built)
        milestones = _milestones(rows, by_group, now, built)
        _ledger(ws, owner, people, by_group, milestones, now, built)
        _briefs(rows, set(built.groups["brief"]), now, built)
        _timesheets(rows, by_group["timesheet"], now, built)
        _outbox(ws, people, rows, due, now, built)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return built


def _bulk(model, rows, built):
    made = []
    for start in range(0, len(rows), CHUNK):
        made.extend(model.objects.bulk_create(rows[start:start + CHUNK]))
    key = model._meta.verbose_name_plural
    built.counts[key] = built.counts.get(key, 0) + len(rows)
    return made


def _engagements(ws, owner, people, now, built):
    """Every engagement active, each ladder armed for later; then each group's column made due."""
    later = now + timedelta(days=2)
    rows = []
    for i in range(built.engagements):
        rows.append(Engagement(
            workspace=ws, freelancer=people[i % len(people)], title=f"Sweeps engagement {i}", budget=1_000_000,
            currency="USD", status=EngagementStatus.ACTIVE, created_by=owner, created_at=now - timedelta(days=40),
            offered_at=now - timedelta(days=40), activated_at=now - timedelta(days=30),
            next_update_due_at=later, update_reminder_at=later, update_reminder_step=0,
            last_activity_at=now - timedelta(days=1), quiet_check_at=now + timedelta(days=4),
            next_checkin_at=now + timedelta(days=5), checkin_nudge_at=now + timedelta(days=5)))
    due = built.due
    groups = {g: rows[n * due:(n + 1) * due] for n, g in enumerate(GROUPS)}
    for e in groups["status"]:  # two hours overdue, not yet reminded: step 0 → 1
        e.next_update_due_at = e.update_reminder_at = now - timedelta(hours=2)
    for e in groups["silence"]:  # nothing for 6 days (threshold 5)
        e.last_activity_at = now - timedelta(days=6)
        e.quiet_check_at = now - timedelta(days=1)
    for e in groups["cadence"]:  # the cadence passed an hour ago, nothing planned
        e.next_checkin_at = e.checkin_nudge_at = now - timedelta(hours=1)
    for e in groups["timesheet"]:
        e.pay_terms = PayTerms.HOURLY
    return _bulk(Engagement, rows, built)


def _checkins(rows, groups, now, built):
    """Every engagement but the cadence group's has its next check-in planned: in five days
    (agenda email in four), or tomorrow for the group whose agenda is due since an hour ago
    (step 0 → "tomorrow")."""
    due = {e.pk for e in groups["checkin"]}
    unplanned = {e.pk for e in groups["cadence"]}
    made = []
    for e in rows:
        if e.pk in unplanned:
            continue
        at = now + (timedelta(hours=20) if e.pk in due else timedelta(days=5))
        made.append(CheckIn(engagement=e, scheduled_at=at, agenda="Weekly check-in: progress, blockers, next steps",
                            nudge_at=now - timedelta(hours=1) if e.pk in due else at - timedelta(days=1),
                            nudge_step=0, nudge_for=at))
    _bulk(CheckIn, made, built)


def _milestones(rows, groups, now, built):
    """One milestone per engagement: a draft due in three weeks for most; funded and due
    tomorrow (reminder due), submitted with 2 days of review left, or submitted past its
    window, for the groups."""
    kind = {}
    for g in ("milestone", "review", "release"):
        for e in groups[g]:
            kind[e.pk] = g
    made = []
    for e in rows:
        g = kind.get(e.pk)
        due_at = now + (timedelta(days=1) if g == "milestone" else timedelta(days=21))
        m = Milestone(engagement=e, position=0, title=f"Milestone of {e.title}", acceptance_criteria="As agreed.",
                      amount=200_000, currency="USD", due_at=due_at, due_on=due_at.date(),
                      state=MilestoneState.DRAFT, state_changed_at=now - timedelta(days=20),
                      due_reminder_at=due_at - timedelta(days=2))
        if g == "milestone":
            m.state, m.due_reminder_at = MilestoneState.FUNDED, now - timedelta(hours=1)
        elif g in ("review", "release"):
            window = timedelta(days=14)
            deadline = now + timedelta(days=2) if g == "review" else now - timedelta(hours=1)
            m.state, m.due_reminder_at = MilestoneState.SUBMITTED, None
            m.state_changed_at, m.review_deadline_at = deadline - window, deadline
        made.append(m)
    made = _bulk(Milestone, made, built)
    _bulk(ReviewClock, [ReviewClock(milestone=m, submitted_at=m.state_changed_at, window_days=14,
                                    deadline_at=m.review_deadline_at)
                        for m in made if m.state == MilestoneState.SUBMITTED], built)
    return [m for m in made if m.state != MilestoneState.DRAFT]


def _ledger(ws, owner, people, groups, funded, now, built):
    """The fund transaction of every funded or submitted milestone (owner funding → its
    engagement's escrow), as `milestone_fund` writes it; the accounts the releases will use."""
    funding = Account.objects.create(workspace=ws, kind=AccountKind.OWNER_FUNDING)
    engaged = {m.engagement_id for m in funded}
    escrow = {a.engagement_id: a for a in _bulk(Account, [
        Account(workspace=ws, kind=AccountKind.ESCROW, engagement_id=pk) for pk in sorted(engaged)], built)}
    _bulk(Account, [Account(workspace=ws, kind=kind, freelancer=f) for f in people
                    for kind in (AccountKind.PAYABLE, AccountKind.PAID_OUT)], built)
    txs = _bulk(Transaction, [
        Transaction(workspace=ws, kind="fund", engagement_id=m.engagement_id, milestone=m,
                    idempotency_key=f"bench-sweeps:fund:{m.pk}", request_fingerprint="0" * 64, actor=owner,
                    created_at=m.state_changed_at - timedelta(days=7)) for m in funded], built)
    entries = []
    for tx, m in zip(txs, funded, strict=True):
        entries += [Entry(transaction=tx, account=funding, amount=-m.amount, currency=m.currency),
                    Entry(transaction=tx, account=escrow[m.engagement_id], amount=m.amount, currency=m.currency)]
    _bulk(Entry, entries, built)
    ledger_totals_rebuild([ws.pk])  # the fundings went in without post(): sum them as post() would have


def _briefs(rows, waiting, now, built):
    """Brief v1 on every engagement: acknowledged, except the group's, sent 3 days ago (the
    freelancer's nudge due since a day; the owner's comes at 4)."""
    made = []
    for e in rows:
        sent = now - timedelta(days=3) if e.pk in waiting else e.offered_at
        b = Brief(engagement=e, version=1, goal=f"Deliver {e.title}.", deliverables="Files as agreed.",
                  acceptance_criteria="Matches the examples.", sent_at=sent, created_at=sent)
        if e.pk in waiting:
            b.ack_nudge_at, b.ack_nudge_step = sent + timedelta(days=2), 0
        else:
            b.acknowledged_at, b.acknowledged_by_id = e.activated_at, e.freelancer_id
        made.append(b)
    _bulk(Brief, made, built)


def _timesheets(rows, due, now, built):
    """Hourly work: the group's week two weeks back submitted, its approval window past (4
    hours); and, like every fifth engagement besides, two earlier weeks approved and this
    week's in draft (history the partial index leaves out)."""
    this_monday = (now - timedelta(days=now.weekday())).date()
    submitted = this_monday - timedelta(days=14)
    due_ids = {e.pk for e in due}
    sheets = []
    for n, e in enumerate(rows):
        if e.pk not in due_ids and n % 5:
            continue
        if e.pk in due_ids:
            sheets.append(Timesheet(engagement=e, week_start=submitted, state=TimesheetState.SUBMITTED,
                                    hourly_rate=5000, currency="USD", submitted_at=now - timedelta(days=8),
                                    approval_deadline_at=now - timedelta(hours=1)))
        for weeks in (3, 4):
            sheets.append(Timesheet(engagement=e, week_start=this_monday - timedelta(weeks=weeks),
                                    state=TimesheetState.APPROVED, hourly_rate=5000, currency="USD",
                                    submitted_at=now - timedelta(weeks=weeks - 1), decided_at=now - timedelta(weeks=2)))
        sheets.append(Timesheet(engagement=e, week_start=this_monday, state=TimesheetState.DRAFT, currency="USD"))
    sheets = _bulk(Timesheet, sheets, built)
    _bulk(TimeEntry, [TimeEntry(timesheet=t, day=t.week_start, minutes=240, description="Work as agreed")
                      for t in sheets], built)


def _outbox(ws, people, rows, due, now, built):
    """An email already sent on every engagement (history), and `due` emails queued ten
    minutes ago and never handed to the broker (it was down)."""
    sent = [Notification(workspace=ws, recipient_email=OWNER_EMAIL, kind="status_update_posted",
                         dedupe_key=f"bench-sweeps:sent:{e.pk}", engagement_id=e.pk, status=NotificationStatus.SENT,
                         created_at=now - timedelta(days=1), sent_at=now - timedelta(days=1)) for e in rows]
    at = now - timedelta(minutes=10)
    lost = [Notification(workspace=ws, recipient_email=people[i % len(people)].email, kind="status_update_posted",
                         dedupe_key=f"bench-sweeps:outbox:{i}", status=NotificationStatus.QUEUED, created_at=at)
            for i in range(due)]
    _bulk(Notification, sent + lost, built)
