"""The ledger's set-based primitives, for the sweeps that move the money of many rows at once
(automatic releases and approvals): the accounts of a batch in one SELECT (three statements when
some must be created), and a batch of balanced transactions with their entries and audit events
in three INSERTs (`accounts.bulk.insert_many`: no model instance per row).

The rules are `ledger.post`'s: every line a non-zero whole number of minor units, every
transaction balanced (checked here; on PostgreSQL the deferred trigger checks each again at
commit), nothing updated or deleted, and an idempotency key per transaction (a key already in
the ledger makes the INSERT fail and the caller's transaction roll back).
"""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.audit import audit_record_many
from accounts.bulk import insert_many

from ..errors import InvalidInput, PaymentError
from ..models import Account, AccountKind, Entry, Transaction, TransactionKind
from .invoices import invoices_self_bill_many
from .ledger import AUDIT_MONEY
from .provider_hook import provider_moves_after_commit
from .totals import totals_add_many

K = AccountKind


def accounts_for(*, owner_funding=(), escrow=None, payable=None):
    """The accounts of a batch, created when missing: `owner_funding` = workspace ids,
    `escrow` = {engagement id: workspace id}, `payable` = {freelancer id: workspace id}.
    Returns {(kind, workspace/engagement/freelancer id): account id}. One SELECT; when some are
    missing, one INSERT … ON CONFLICT DO NOTHING (the partial unique constraints keep one account
    per owner, whoever inserts it first) and the SELECT again."""
    owner_funding, escrow, payable = set(owner_funding), escrow or {}, payable or {}
    query = Account.objects.filter(
        Q(kind=K.OWNER_FUNDING, workspace_id__in=owner_funding) | Q(kind=K.ESCROW, engagement_id__in=list(escrow))
        | Q(kind=K.PAYABLE, freelancer_id__in=list(payable))
    ).order_by().values_list("pk", "kind", "workspace_id", "engagement_id", "freelancer_id")
    owner_of = {K.OWNER_FUNDING: lambda ws, e, f: ws, K.ESCROW: lambda ws, e, f: e, K.PAYABLE: lambda ws, e, f: f}
    found = {(kind, owner_of[kind](ws, e, f)): pk for pk, kind, ws, e, f in query}
    missing = ([{"workspace_id": ws, "kind": K.OWNER_FUNDING} for ws in owner_funding
                if (K.OWNER_FUNDING, ws) not in found]
               + [{"workspace_id": ws, "kind": K.ESCROW, "engagement_id": e} for e, ws in escrow.items()
                  if (K.ESCROW, e) not in found]
               + [{"workspace_id": ws, "kind": K.PAYABLE, "freelancer_id": f} for f, ws in payable.items()
                  if (K.PAYABLE, f) not in found])
    if missing:
        insert_many(Account, missing, ignore_conflicts=True)
        found = {(kind, owner_of[kind](ws, e, f)): pk for pk, kind, ws, e, f in query.all()}
    return found


def post_many(postings):
    """Write many transactions and their entries, and audit each. A posting is a dict with
    `workspace_id`, `kind`, `currency`, `lines` [(account id, signed amount), …],
    `idempotency_key`, `fingerprint` and optionally `engagement_id`, `milestone_id`, `automatic`,
    `memo`. Must run inside the caller's `transaction.atomic()`. Returns the transactions' ids,
    in the order of `postings`."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("post_many() must run inside transaction.atomic()")
    for p in postings:
        for _, amount in p["lines"]:
            if not isinstance(amount, int) or isinstance(amount, bool) or amount == 0:
                raise InvalidInput(f"A ledger line needs a non-zero whole number of minor units, not {amount!r}.")
        if sum(amount for _, amount in p["lines"]) != 0:
            raise PaymentError("Refused an unbalanced ledger transaction.")
    now = timezone.now()
    ids = [pk for (pk,) in insert_many(Transaction, [
        {"workspace_id": p["workspace_id"], "kind": p["kind"], "engagement_id": p.get("engagement_id"),
         "milestone_id": p.get("milestone_id"), "idempotency_key": p["idempotency_key"],
         "request_fingerprint": p["fingerprint"], "automatic": p.get("automatic", False), "memo": p.get("memo", ""),
         "created_at": now}
        for p in postings
    ], returning=("pk",))]
    # One INSERT for every entry of the batch: the balance trigger sees whole transactions.
    insert_many(Entry, [
        {"transaction_id": pk, "account_id": account, "amount": amount, "currency": p["currency"]}
        for pk, p in zip(ids, postings, strict=True) for account, amount in p["lines"]
    ])
    totals_add_many(postings, at=now)  # the engagements' figures (LedgerTotal…), in this same transaction, as post()
    audit_record_many([_audit(pk, p) for pk, p in zip(ids, postings, strict=True)])
    invoices_self_bill_many(ids)  # as post() does: a self-billed engagement's payment gets its invoice
    provider_moves_after_commit(ids, [p["kind"] for p in postings])  # as post() does: the money follows
    return ids


def _audit(pk, p):
    """The event `ledger.post` writes for the same transaction."""
    automatic = p.get("automatic", False)
    action = "auto_release" if automatic and p["kind"] == TransactionKind.RELEASE else AUDIT_MONEY[p["kind"]]
    moved = sum(amount for _, amount in p["lines"] if amount > 0)
    milestone, engagement = p.get("milestone_id"), p.get("engagement_id")
    return {"workspace": p["workspace_id"], "action": f"money.{action}", "object_type": "transaction",
            "object_id": pk,
            "detail": f"{moved} minor units {p['currency']}" + (f", milestone {milestone}" if milestone else "")
                      + (f", engagement {engagement}" if engagement else "") + "."}
