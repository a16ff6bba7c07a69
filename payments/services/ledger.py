"""The ledger's three primitives: accounts, posting a balanced transaction, idempotency.

Every money action in this app is `run_idempotent(...)` around a function that (inside one
database transaction) claims its state change first — the milestone's conditional UPDATE, or
a row lock — and only then posts ledger rows with `post()`. A loser of a race therefore fails
before it has written anything, and the whole transaction rolls back.
"""

import hashlib
import json

from django.db import IntegrityError, transaction

from accounts.audit import audit_record
from accounts.bulk import insert_one_with_many
from accounts.joined import Joined
from engagements.services.transitions import TransitionError

from ..errors import IdempotencyConflict, InvalidInput, PaymentError, StateConflict
from ..models import Account, AccountKind, Entry, ProviderCharge, Transaction, TransactionKind
from ..providers import stripe_enabled
from .invoices import invoice_self_bill
from .provider_hook import provider_moves_after_commit
from .totals import totals_add

# The audit log's name for each kind of ledger transaction (`money.<name>`).
AUDIT_MONEY = {
    TransactionKind.FUND: "fund", TransactionKind.RELEASE: "release", TransactionKind.REFUND: "refund",
    TransactionKind.DISPUTE: "dispute", TransactionKind.RESOLVE: "resolve",
    TransactionKind.TIMESHEET: "timesheet_approve", TransactionKind.BONUS: "bonus", TransactionKind.PAYOUT: "payout",
    TransactionKind.COMMISSION: "commission", TransactionKind.REFUND_RELEASED: "refund_released",
    TransactionKind.PROVIDER_FEE: "provider_fee",
}

MAX_KEY_LENGTH = 255


# --- Accounts ---------------------------------------------------------------------------------
def owner_funding_account(workspace):
    return _account(workspace=workspace, kind=AccountKind.OWNER_FUNDING)


def escrow_account(engagement):
    return _account(workspace=engagement.workspace, kind=AccountKind.ESCROW, engagement=engagement)


def payable_account(freelancer):
    return _account(workspace=freelancer.workspace, kind=AccountKind.PAYABLE, freelancer=freelancer)


def paid_out_account(freelancer):
    return _account(workspace=freelancer.workspace, kind=AccountKind.PAID_OUT, freelancer=freelancer)


def provider_fees_account(workspace):
    return _account(workspace=workspace, kind=AccountKind.PROVIDER_FEES)


def platform_account(workspace):
    return _account(workspace=workspace, kind=AccountKind.PLATFORM)


def escrow_and_payable_accounts(engagement, *, held_for):
    """(the engagement's escrow account, its freelancer's payable account, what the ledger holds
    in escrow for milestone `held_for`): what a release moves money between, and how much, in
    one read once both accounts exist (the sum of the milestone's escrow entries is a subquery
    of it; no escrow account means nothing is held).

    Written as SQL: every release through the API runs it, and building it with the ORM (an OR
    of two account shapes and an aggregate subquery) cost more CPU than the database spends on
    it. The same read as `Account.objects.filter(Q(escrow…) | Q(payable…), workspace=…)
    .annotate(held=Subquery(<the milestone's escrow entries summed>))`."""
    rows = _ACCOUNTS_WITH_HELD.all({
        "milestone": held_for.pk, "escrow": AccountKind.ESCROW, "payable": AccountKind.PAYABLE,
        "currency": engagement.currency, "workspace": engagement.workspace_id, "engagement": engagement.pk,
        "freelancer": engagement.freelancer_id})
    found = {account.kind: (account, held) for account, held in rows}
    amount = int(found[AccountKind.ESCROW][1] or 0) if AccountKind.ESCROW in found else 0  # SUM: numeric
    return (found[AccountKind.ESCROW][0] if AccountKind.ESCROW in found else escrow_account(engagement),
            found[AccountKind.PAYABLE][0] if AccountKind.PAYABLE in found else payable_account(engagement.freelancer),
            amount)


# Prepared once per connection (accounts.prepared): planning it cost PostgreSQL more than running it.
_ACCOUNTS_WITH_HELD = Joined(("a", Account), sql="""
    SELECT {columns}, (SELECT SUM(e.amount) FROM payments_entry e
                 JOIN payments_transaction t ON t.id = e.transaction_id
                 JOIN payments_account ea ON ea.id = e.account_id
                 WHERE t.milestone_id = %(milestone)s AND ea.kind = %(escrow)s AND e.currency = %(currency)s) AS held
    FROM payments_account a
    WHERE a.workspace_id = %(workspace)s
      AND ((a.kind = %(escrow)s AND a.engagement_id = %(engagement)s AND a.freelancer_id IS NULL)
           OR (a.kind = %(payable)s AND a.engagement_id IS NULL AND a.freelancer_id = %(freelancer)s))""")


def _account(*, workspace, kind, engagement=None, freelancer=None):
    # get_or_create retries the read when a concurrent first use inserted the same account
    # (the partial unique constraints make the second insert fail).
    account, _ = Account.objects.get_or_create(
        workspace=workspace, kind=kind, engagement=engagement, freelancer=freelancer
    )
    return account


# --- Posting ----------------------------------------------------------------------------------
def post(*, workspace, kind, currency, lines, idempotency_key, fingerprint, engagement=None, milestone=None,
         actor=None, automatic=False, memo=""):
    """Write one transaction and its entries. `lines` is [(account, signed amount), …] in
    `currency`; they must sum to zero and none may be zero. Must run inside the caller's
    `transaction.atomic()`.

    The entries go in with one INSERT statement: on PostgreSQL the balance check is a constraint
    trigger, and in IMMEDIATE mode (tests set it) it would otherwise see a half-written
    transaction after the first row.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("post() must run inside transaction.atomic()")
    for _, amount in lines:
        if not isinstance(amount, int) or isinstance(amount, bool) or amount == 0:
            raise InvalidInput(f"A ledger line needs a non-zero whole number of minor units, not {amount!r}.")
    # The rule SQLite cannot enforce for us (PostgreSQL checks it again at commit).
    if sum(amount for _, amount in lines) != 0:
        raise PaymentError("Refused an unbalanced ledger transaction.")
    if lines and engagement is None:
        raise PaymentError("A ledger transaction that moves money belongs to an engagement.")
    tx = Transaction(
        workspace=workspace, kind=kind, engagement=engagement, milestone=milestone,
        idempotency_key=idempotency_key, request_fingerprint=fingerprint, actor=actor,
        automatic=automatic, memo=memo,
    )
    # The transaction and its entries in one statement (accounts.bulk.insert_one_with_many): a
    # duplicate idempotency key raises IntegrityError, as create() did, and writes neither. The
    # entries go in as plain rows, the instances built from the ids returned: bulk_create prepared
    # a model instance per row for a statement of two rows.
    rows = [{"account_id": account.pk, "amount": amount, "currency": currency} for account, amount in lines]
    ids = insert_one_with_many(tx, Entry, rows, link="transaction_id", returning=("pk",))
    tx.posted_entries = [Entry(pk=pk, transaction=tx, account=account, amount=amount, currency=currency)
                         for (pk,), (account, amount) in zip(ids, lines, strict=True)]
    for entry in tx.posted_entries:
        entry._state.adding, entry._state.db = False, "default"
    totals_add(tx, lines, currency)  # the engagement's figures (LedgerTotal), in this same transaction
    provider_moves_after_commit([tx.pk], [kind])  # with a payment provider, the money follows the ledger
    # Every money action posts here once (a replay returns the first transaction without
    # posting), so this is where the audit log hears of each.
    action = "auto_release" if automatic and kind == TransactionKind.RELEASE else AUDIT_MONEY[kind]
    moved = sum(amount for _, amount in lines if amount > 0)
    audit_record(workspace=workspace, action=f"money.{action}", actor=actor, obj=tx,
                 detail=f"{moved} minor units {currency}" + (f", milestone {milestone.pk}" if milestone else "")
                        + (f", engagement {engagement.pk}" if engagement else "") + ".")
    invoice_self_bill(tx)  # a self-billed engagement's payment is invoiced in this same transaction
    return tx


# --- Idempotency ------------------------------------------------------------------------------
def fingerprint(action, params):
    """The hash of an action and its parameters: same key + same fingerprint = a retry."""
    payload = json.dumps({"action": action, **params}, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def clean_key(key):
    key = (key or "").strip()
    if not key:
        raise InvalidInput("An idempotency key is required for money actions.", field="idempotency_key")
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(f"An idempotency key is at most {MAX_KEY_LENGTH} characters.", field="idempotency_key")
    return key


def _replay(workspace, key, fp):
    tx = Transaction.objects.filter(workspace=workspace, idempotency_key=key).first()
    if tx is None and stripe_enabled():
        # An action whose money is charged first (provider_charges.py) posts only once paid.
        tx = ProviderCharge.objects.filter(workspace=workspace, ledger_key=key).first()
    if tx is None:
        return None
    if tx.request_fingerprint != fp:
        raise IdempotencyConflict(
            "This idempotency key was already used for a different request; nothing was done. "
            "Use a new key for a new request."
        )
    tx.replayed = True
    return tx


def run_idempotent(*, workspace, key, action, params, perform, claim_refuses_retry=False):
    """Run `perform(key, fingerprint)` in its own database transaction unless `key` was used.

    - Same key, same action and parameters: the first transaction is returned (`replayed`), and
      nothing is done again. The key is kept as long as the ledger row, i.e. for ever (≥ 24 h).
    - Same key, different parameters: IdempotencyConflict, nothing written.
    - Two concurrent calls with one key: the loser's state claim (or its insert of the unique
      key) fails once the winner commits; it then finds the winner's row and returns it.

    The key is looked up before `perform` runs, unless `claim_refuses_retry`: `perform` then
    starts with a state claim that a done action makes fail for good (a release: `submitted →
    released`, never back), so a retry fails there, before writing, and finds the first
    transaction afterwards like the loser of a race — and a first run saves the read. The unique
    key still refuses a different action's reuse of it at the insert.
    """
    key = clean_key(key)
    fp = fingerprint(action, params)
    existing = None if claim_refuses_retry else _replay(workspace, key, fp)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            tx = perform(key, fp)
    except (IntegrityError, PaymentError, TransitionError) as exc:
        existing = _replay(workspace, key, fp)
        if existing is not None:
            return existing
        if isinstance(exc, TransitionError):
            raise StateConflict(str(exc)) from exc
        raise
    tx.replayed = False
    return tx
