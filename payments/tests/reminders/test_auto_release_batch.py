"""The set-based automatic release and approval: a batch costs a fixed number of statements,
writes exactly what the per-row services write, and leaves alone whatever a person changed
between the sweep's read and its write."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEvent
from engagements.models import Activity, Milestone, MilestoneState
from notifications.models import Notification
from payments import services
from payments.models import AccountKind, Timesheet, Transaction, TransactionKind, amount_for
from payments.reminders.auto_release import auto_release_due, timesheets_auto_approve
from payments.services.auto_release import milestone_auto_release_many, timesheet_auto_approve_many
from payments.services.ledger import owner_funding_account, payable_account, post

from ..conftest import MONDAY, balance, fund, submit
from ..factories import EngagementFactory, MilestoneFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LATER = T0 + timedelta(days=15)  # past the 14-day review window of every submission at T0


def submitted_milestones(workspace, owner, time_machine, n, amount=10_000):
    """`n` milestones submitted at T0, each on an engagement of its own freelancer."""
    time_machine.move_to(T0 - timedelta(days=1), tick=False)
    milestones = [MilestoneFactory(engagement=EngagementFactory(workspace=workspace), amount=amount + i,
                                   title=f"Part {i}") for i in range(n)]
    for m in milestones:
        fund(m, owner)
    time_machine.move_to(T0, tick=False)
    return [submit(m) for m in milestones]


def release_statements(workspace, owner, time_machine, n):
    milestones = submitted_milestones(workspace, owner, time_machine, n)
    time_machine.move_to(LATER, tick=False)
    with CaptureQueriesContext(connection) as queries:
        assert auto_release_due() == {"clocks_started": 0, "released": n}
    assert {m.state for m in Milestone.objects.filter(pk__in=[m.pk for m in milestones])} == {MilestoneState.RELEASED}
    return len(queries)


def test_a_batch_of_releases_costs_the_same_statements_for_3_and_for_12_milestones(workspace, owner, time_machine):
    assert release_statements(workspace, owner, time_machine, 3) == release_statements(workspace, owner,
                                                                                         time_machine, 12)
    releases = Transaction.objects.filter(kind=TransactionKind.RELEASE, automatic=True)
    assert releases.count() == 15 and len({tx.milestone_id for tx in releases}) == 15
    assert balance(AccountKind.ESCROW) == 0
    assert balance(AccountKind.PAYABLE) == sum(10_000 + i for i in range(3)) + sum(10_000 + i for i in range(12))
    # Both sides told once per milestone, and a second run finds nothing to do.
    assert Notification.objects.filter(kind="escrow_released").count() == 30
    assert auto_release_due()["released"] == 0
    assert Notification.objects.filter(kind="escrow_released").count() == 30


def test_the_batch_writes_what_the_per_row_service_writes(workspace, owner, time_machine):
    by_service, by_batch = submitted_milestones(workspace, owner, time_machine, 2)
    time_machine.move_to(LATER, tick=False)
    services.milestone_auto_release(milestone_id=by_service.pk, now=LATER)
    with transaction.atomic():
        assert len(milestone_auto_release_many(milestone_ids=[by_batch.pk], now=LATER)) == 1

    def written(m):
        tx = Transaction.objects.get(milestone=m, kind=TransactionKind.RELEASE)
        entries = sorted((e.account.kind, e.amount, e.currency) for e in tx.entries.all())
        audit = AuditEvent.objects.get(object_type="transaction", object_id=str(tx.pk))
        line = Activity.objects.get(milestone=m, kind="escrow_auto_released")
        sent = Notification.objects.filter(kind="escrow_released", engagement_id=m.engagement_id)
        notes = sorted((n.recipient_email, n.dedupe_key.replace(f"released:{m.pk}:", "released:M:"),
                        n.context["audience"], n.status, n.context["url"].replace(f"/{m.engagement_id}/", "/E/"))
                       for n in sent)
        contexts = [{k: v for k, v in n.context.items() if k not in ("url", "freelancer_name", "milestone_title",
                                                                    "engagement_title", "amount")} for n in sent]
        m.refresh_from_db()
        return {
            "key": tx.idempotency_key.replace(f"release:{m.pk}:", "release:M:"),
            "memo": tx.memo.replace(m.title, "T"), "automatic": tx.automatic, "actor": tx.actor_id,
            "entries": [(kind, abs(amount) - m.amount, cur) for kind, amount, cur in entries],
            "audit": (audit.action, audit.actor_id, audit.detail.replace(f"milestone {m.pk},", "milestone M,")
                      .replace(f"engagement {m.engagement_id}.", "engagement E.").replace(str(m.amount), "A")),
            "line": line.summary.replace(m.title, "T"), "notes": [(e.split("@")[1], *rest) for e, *rest in notes],
            "contexts": sorted(map(str, contexts)), "state": m.state, "deadline": m.review_deadline_at,
        }

    assert written(by_service) == written(by_batch)


def test_what_the_owner_did_between_the_read_and_the_write_is_left_alone(workspace, owner, time_machine):
    released_by_owner, disputed, extended, left = submitted_milestones(workspace, owner, time_machine, 4)
    time_machine.move_to(T0 + timedelta(days=10), tick=False)
    read = [m.pk for m in (released_by_owner, disputed, extended, left)]  # the sweep's read, then:
    services.milestone_release(milestone=released_by_owner, actor=owner, idempotency_key="by-hand")
    services.milestone_dispute(milestone=disputed, actor=owner, reason="Not what we agreed", idempotency_key="d")
    services.milestone_review_extend(milestone=extended, actor=owner, days=7)
    with transaction.atomic():
        released = milestone_auto_release_many(milestone_ids=read, now=LATER)
    assert released == [left.pk]
    assert Transaction.objects.filter(kind=TransactionKind.RELEASE).count() == 2
    assert not Transaction.objects.filter(automatic=True).exclude(milestone=left).exists()
    states = dict(Milestone.objects.filter(pk__in=read).values_list("pk", "state"))
    assert states == {released_by_owner.pk: "released", disputed.pk: "disputed", extended.pk: "submitted",
                      left.pk: "released"}
    assert balance(AccountKind.ESCROW) == disputed.amount + extended.amount


def test_a_batch_refused_as_a_whole_is_released_row_by_row_around_the_bad_one(workspace, owner, time_machine):
    bad, *good = submitted_milestones(workspace, owner, time_machine, 3)
    # A ledger row already holding the key the sweep would use for `bad`, for something else.
    key = f"auto-release:{bad.pk}:{bad.state_changed_at.isoformat()}"
    engagement = bad.engagement
    with transaction.atomic():
        post(workspace=workspace, kind=TransactionKind.BONUS, currency=engagement.currency,
             lines=[(owner_funding_account(workspace), -1), (payable_account(engagement.freelancer), 1)],
             idempotency_key=key, fingerprint="something else", engagement=engagement)
    time_machine.move_to(LATER, tick=False)
    assert auto_release_due()["released"] == 2
    assert set(Milestone.objects.filter(state="released").values_list("pk", flat=True)) == {m.pk for m in good}
    bad.refresh_from_db()
    assert bad.state == MilestoneState.SUBMITTED


# --- Timesheets -------------------------------------------------------------------------------
def submitted_weeks(workspace, time_machine, n):
    time_machine.move_to(datetime(2026, 3, 8, 18, 0, tzinfo=UTC), tick=False)
    weeks = []
    for i in range(n):
        hourly = EngagementFactory(workspace=workspace, pay_terms="hourly", weekly_hour_cap=10)
        user = hourly.freelancer.user
        week = services.timesheet_for_week(engagement=hourly, day=MONDAY, actor=user)
        services.timesheet_entry_add(timesheet=week, actor=user, day=MONDAY, minutes=60 + i, description="Editing")
        weeks.append(services.timesheet_submit(timesheet=week, actor=user))
    return weeks


def approve_statements(workspace, time_machine, n):
    weeks = submitted_weeks(workspace, time_machine, n)
    time_machine.move_to(datetime(2026, 3, 23, 18, 1, tzinfo=UTC), tick=False)
    with CaptureQueriesContext(connection) as queries:
        assert timesheets_auto_approve() == n
    assert set(Timesheet.objects.filter(pk__in=[w.pk for w in weeks]).values_list("state", flat=True)) == {"approved"}
    return len(queries)


def test_a_batch_of_approvals_costs_the_same_statements_for_2_and_for_9_weeks(workspace, time_machine):
    assert approve_statements(workspace, time_machine, 2) == approve_statements(workspace, time_machine, 9)
    approvals = Transaction.objects.filter(kind=TransactionKind.TIMESHEET, automatic=True)
    assert approvals.count() == 11
    # minutes × 50.00 per hour, rounded half up, per week; each week linked to its transaction.
    assert balance(AccountKind.PAYABLE) == sum(amount_for(60 + i, 5000) for i in [*range(2), *range(9)])
    assert set(Timesheet.objects.values_list("transaction__kind", flat=True)) == {"timesheet"}
    assert Notification.objects.filter(kind="timesheet_approved").count() == 11
    assert timesheets_auto_approve() == 0


def test_the_batch_approves_as_the_per_row_service_does(workspace, time_machine):
    one, other = submitted_weeks(workspace, time_machine, 2)
    time_machine.move_to(datetime(2026, 3, 23, 18, 1, tzinfo=UTC), tick=False)
    services.timesheet_auto_approve(timesheet=Timesheet.objects.get(pk=one.pk))
    with transaction.atomic():
        timesheet_auto_approve_many(timesheet_ids=[other.pk], now=datetime(2026, 3, 23, 18, 1, tzinfo=UTC))

    def written(week):
        week.refresh_from_db()
        tx = week.transaction
        note = Notification.objects.get(kind="timesheet_approved", engagement_id=week.engagement_id)
        audit = AuditEvent.objects.get(object_type="transaction", object_id=str(tx.pk))
        line = Activity.objects.get(engagement_id=week.engagement_id, kind="timesheet_approved")
        return (week.state, week.decided_by_id, week.approval_deadline_at, tx.memo.split(":")[0], tx.automatic,
                sorted((e.account.kind, abs(e.amount) > 0) for e in tx.entries.all()), audit.action,
                line.summary.split(":")[0], note.dedupe_key.split(":")[0],
                note.context["url"].replace(f"/{week.engagement_id}/", "/E/"),
                {k: v for k, v in note.context.items() if k not in ("url", "freelancer_name", "engagement_title",
                                                                     "amount")})

    assert written(one) == written(other)


def test_a_week_disputed_between_the_read_and_the_write_is_left_alone(workspace, owner, time_machine):
    disputed, left = submitted_weeks(workspace, time_machine, 2)
    services.timesheet_dispute(timesheet=disputed, actor=owner, reason="Monday was a holiday")
    with transaction.atomic():
        approved = timesheet_auto_approve_many(timesheet_ids=[disputed.pk, left.pk],
                                               now=datetime(2026, 3, 23, 18, 1, tzinfo=UTC))
    assert approved == [left.pk]
    assert dict(Timesheet.objects.values_list("pk", "state")) == {disputed.pk: "disputed", left.pk: "approved"}


def test_the_batch_keeps_the_ledger_totals_and_tells_the_webhooks_as_the_per_row_release_does(
        workspace, owner, time_machine):
    import json

    from notifications.models import WebhookEvent
    from notifications.webhooks.events import EVENT_TYPES
    from notifications.webhooks.services import webhook_endpoint_create
    from payments.models import CommittedTotal, LedgerTotal
    from payments.services.totals import committed_from_totals, totals_from_entries

    webhook_endpoint_create(workspace=workspace, actor=owner, url="https://hooks.example.invalid/x",
                            events=list(EVENT_TYPES))
    milestones = submitted_milestones(workspace, owner, time_machine, 3)
    time_machine.move_to(LATER, tick=False)
    assert auto_release_due()["released"] == 3

    def rows(totals):
        return sorted((t.engagement_id, t.currency, t.account_kind, t.transaction_kind, t.amount) for t in totals)

    # The engagements' money figures (what the home page and budgets read) moved with the batch.
    assert rows(LedgerTotal.objects.filter(workspace=workspace)) == rows(totals_from_entries([workspace.pk]))
    derived = committed_from_totals(totals_from_entries([workspace.pk]))
    assert ({(t.engagement_id, t.currency, t.amount) for t in CommittedTotal.objects.filter(workspace=workspace)}
            == {(t.engagement_id, t.currency, t.amount) for t in derived})
    released = [json.loads(e.body)["data"]["milestone"]["id"]
                for e in WebhookEvent.objects.filter(type="milestone.released").order_by("id")]
    assert sorted(released) == sorted(m.pk for m in milestones)
