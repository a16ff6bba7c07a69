"""The beat's automatic money actions, set-based: a batch of milestones released, a batch of
weeks approved, each in a fixed number of statements whatever the size of the batch.

They do what the per-row services do (`escrow.milestone_auto_release`,
`timesheets.timesheet_auto_approve`), row for row — the same state change, ledger transaction
(same idempotency key and fingerprint, so either path finds the other's), audit event, timeline
line and emails (same dedupe keys) — but for the whole batch at once:

1. lock the batch's rows that are still due (`SELECT … FOR UPDATE SKIP LOCKED`, in pk order):
   a row the owner is releasing or disputing right now, or another sweep holds, is skipped;
   one the owner released, disputed, extended or had re-submitted since the sweep read it no
   longer matches and is left alone;
2. read what each needs (the review clock of the current submission, the escrow held for it /
   the minutes of the week) in one grouped query, and keep the rows with money to move;
3. claim them by one conditional UPDATE (all or nothing: the rows are locked);
4. post the transactions, entries and audit events, the timeline lines and the emails with one
   INSERT each.

Nothing is committed here: the caller's transaction (the sweep's batch) commits it all.
"""

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from engagements.models import Milestone, MilestoneState
from engagements.services.activity import activity_record_many
from engagements.services.transitions import milestone_transition_many
from notifications.services import notify_many
from notifications.sweeps import claim

from .. import emails
from ..errors import StateConflict
from ..models import AccountKind, Entry, ReviewClock, TimeEntry, Timesheet, TimesheetState, TransactionKind, amount_for
from ..money import format_money
from .bulk import accounts_for, post_many
from .ledger import fingerprint

K = AccountKind
# What every locked row carries of its engagement and freelancer (for the ledger and the emails).
PARTIES = {
    "workspace_id": F("engagement__workspace_id"), "engagement_title": F("engagement__title"),
    "engagement_currency": F("engagement__currency"), "freelancer_id": F("engagement__freelancer_id"),
    "freelancer_name": F("engagement__freelancer__name"), "freelancer_email": F("engagement__freelancer__email"),
    "freelancer_user_id": F("engagement__freelancer__user_id"),
}


# --- Milestones -------------------------------------------------------------------------------
def _due_milestones(milestone_ids, now):
    """Lock the milestones that are still submitted and past their review deadline, and keep
    those whose current submission's clock has passed and whose escrow holds money."""
    locked = list(
        Milestone.objects.select_for_update(of=("self",), skip_locked=True)
        .filter(pk__in=milestone_ids, state=MilestoneState.SUBMITTED, review_deadline_at__lte=now)
        .order_by("pk").values("pk", "title", "engagement_id", "state_changed_at", **PARTIES)
    )
    if not locked:
        return []
    pks = [row["pk"] for row in locked]
    clocks = {
        (c["milestone_id"], c["submitted_at"]): c
        for c in ReviewClock.objects.filter(milestone_id__in=pks).order_by()
        .values("milestone_id", "submitted_at", "deadline_at", "window_days", "extended_days")
    }
    held = {
        (m, currency): total
        for m, currency, total in Entry.objects.filter(transaction__milestone_id__in=pks, account__kind=K.ESCROW)
        .order_by().values("transaction__milestone_id", "currency").annotate(total=Sum("amount"))
        .values_list("transaction__milestone_id", "currency", "total")
    }
    due = []
    for row in locked:
        row["currency"] = row["engagement_currency"]
        clock = clocks.get((row["pk"], row["state_changed_at"]))
        amount = held.get((row["pk"], row["currency"])) or 0
        if clock is None or clock["deadline_at"] > now or amount <= 0:
            continue  # no clock yet (the sweep starts it), extended, or nothing held: as the per-row service
        due.append({**row, "amount": amount, "submitted_at": clock["submitted_at"],
                    "window_days": clock["window_days"] + clock["extended_days"]})
    return due


def _release_posting(row):
    return {
        "workspace_id": row["workspace_id"], "kind": TransactionKind.RELEASE, "currency": row["currency"],
        "lines": [(row["escrow_account"], -row["amount"]), (row["payable_account"], row["amount"])],
        "idempotency_key": f"auto-release:{row['pk']}:{row['submitted_at'].isoformat()}",
        "fingerprint": fingerprint("milestone_auto_release", {"milestone": row["pk"]}),
        "engagement_id": row["engagement_id"], "milestone_id": row["pk"], "automatic": True,
        "memo": f"Released “{row['title']}” automatically: not reviewed within {row['window_days']} days",
    }


def milestone_auto_release_many(*, milestone_ids, now=None):
    """Release, as automatic, every milestone of `milestone_ids` still submitted and past its
    review deadline (the sweep's batch). Returns the ids of the milestones released; one not
    (or no longer) due is left as it is."""
    now = now or timezone.now()
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("milestone_auto_release_many() must run inside transaction.atomic()")
    due = _due_milestones(milestone_ids, now)
    if not due:
        return []
    milestone_transition_many(milestone_ids=[row["pk"] for row in due], to_state=MilestoneState.RELEASED,
                              from_states=[MilestoneState.SUBMITTED])
    accounts = accounts_for(escrow={r["engagement_id"]: r["workspace_id"] for r in due},
                            payable={r["freelancer_id"]: r["workspace_id"] for r in due})
    for row in due:
        row["escrow_account"] = accounts[(K.ESCROW, row["engagement_id"])]
        row["payable_account"] = accounts[(K.PAYABLE, row["freelancer_id"])]
    post_many([_release_posting(row) for row in due])
    activity_record_many([
        {"engagement_id": row["engagement_id"], "milestone_id": row["pk"], "kind": "escrow_auto_released",
         "summary": f"Released “{row['title']}” automatically: not reviewed in time."}
        for row in due
    ])
    for row in due:
        row.update(milestone_id=row["pk"], milestone_title=row["title"])
    owners = emails.owners_by_workspace(row["workspace_id"] for row in due)
    notify_many(emails.milestones_auto_released_items(due, owners))
    return [row["pk"] for row in due]


# --- Timesheets -------------------------------------------------------------------------------
def _due_weeks(timesheet_ids, now):
    """Lock the weeks still submitted and past their approval deadline; keep those with an
    amount to pay (minutes × the rate snapshot taken at submission)."""
    locked = list(
        Timesheet.objects.select_for_update(of=("self",), skip_locked=True)
        .filter(pk__in=timesheet_ids, state=TimesheetState.SUBMITTED, approval_deadline_at__lte=now)
        .order_by("pk").values("pk", "week_start", "submitted_at", "hourly_rate", "currency", "engagement_id",
                               **PARTIES)
    )
    if not locked:
        return []
    minutes = dict(
        TimeEntry.objects.filter(timesheet_id__in=[row["pk"] for row in locked]).order_by()
        .values("timesheet_id").annotate(total=Sum("minutes")).values_list("timesheet_id", "total")
    )
    due = []
    for row in locked:
        row["minutes"] = minutes.get(row["pk"]) or 0
        row["amount"] = amount_for(row["minutes"], row["hourly_rate"] or 0)
        if row["amount"] > 0:
            due.append(row)
    return due


def _approval_posting(row):
    week, minutes = f"{row['week_start']:%-d %b %Y}", row["minutes"]
    return {
        "workspace_id": row["workspace_id"], "kind": TransactionKind.TIMESHEET, "currency": row["currency"],
        "lines": [(row["funding_account"], -row["amount"]), (row["payable_account"], row["amount"])],
        "idempotency_key": f"auto-approve:{row['pk']}:{row['submitted_at'].isoformat()}",
        "fingerprint": fingerprint("timesheet_auto_approve", {"timesheet": row["pk"]}),
        "engagement_id": row["engagement_id"], "automatic": True,
        "memo": f"Week of {week}: {minutes // 60} h {minutes % 60:02d} min at {row['hourly_rate']} per hour "
                "(approved automatically)",
    }


def timesheet_auto_approve_many(*, timesheet_ids, now=None):
    """Approve, as automatic, every week of `timesheet_ids` still submitted and past its
    approval deadline (the sweep's batch): what `timesheet_auto_approve` does for one. A week a
    person approved, disputed or extended meanwhile is left alone. Returns the ids of the weeks
    approved."""
    now = now or timezone.now()
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("timesheet_auto_approve_many() must run inside transaction.atomic()")
    due = _due_weeks(timesheet_ids, now)
    if not due:
        return []
    moved = Timesheet.objects.filter(pk__in=[row["pk"] for row in due], state=TimesheetState.SUBMITTED).update(
        state=TimesheetState.APPROVED, decided_at=timezone.now(), decided_by=None, approval_deadline_at=None)
    if moved != len(due):
        raise StateConflict(f"{len(due) - moved} of {len(due)} weeks are no longer waiting for approval.")
    accounts = accounts_for(owner_funding={r["workspace_id"] for r in due},
                            payable={r["freelancer_id"]: r["workspace_id"] for r in due})
    for row in due:
        row["funding_account"] = accounts[(K.OWNER_FUNDING, row["workspace_id"])]
        row["payable_account"] = accounts[(K.PAYABLE, row["freelancer_id"])]
    txs = post_many([_approval_posting(row) for row in due])
    claim(Timesheet, {row["pk"]: ({"state": TimesheetState.APPROVED}, {"transaction": tx})
                      for row, tx in zip(due, txs, strict=True)})
    activity_record_many([
        {"engagement_id": row["engagement_id"], "kind": "timesheet_approved",
         "summary": f"Week of {row['week_start']:%-d %b %Y} approved automatically: {row['minutes'] // 60} h "
                    f"{row['minutes'] % 60:02d} min, {format_money(row['amount'], row['engagement_currency'])}."}
        for row in due
    ])
    for row, tx in zip(due, txs, strict=True):
        row.update(timesheet_id=row["pk"], transaction_id=tx, automatic=True)
    notify_many(emails.timesheets_approved_items(due))
    return [row["pk"] for row in due]
