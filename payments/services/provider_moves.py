"""Moving held funds through the payment provider once the ledger says so.

The ledger decides; the provider follows. A release, a refund or a dispute's resolution is
posted exactly as on the off-platform rail (escrow.py, disputes.py, auto_release.py), and after
its commit the ledger transaction's moves are made at Stripe (`provider_moves_apply`, enqueued
by `provider_hook`), but only for money Stripe really holds (a milestone funded through
Checkout; a bonus, an approved week, a commission or a retainer period charged off session:
provider_sources.py):

- a release (and a resolution's release share): a Transfer of the amount to the freelancer's
  connected account, `source_transaction` = the milestone's charge (so it never waits for the
  balance to become available), in the engagement's transfer group, with the ledger key in its
  metadata; on success the ledger moves payable → paid out with a Payout row. A freelancer
  whose payouts are not ready keeps the money owed, and both sides are told; it is transferred
  once `account.updated` says they are ready (or by the sweep);
- a refund (and a resolution's refund share): a Refund of the milestone's payment.

Each move is an intent (provider_intents.py): written before the call, its key `{ledger
key}:transfer` / `:refund`, so `intent_recovery_sweep` replays one a crash left started and
Stripe answers the same transfer instead of making a second.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from engagements.models import Engagement

from .. import emails, provider_emails, timeline
from ..errors import ProviderError
from ..models import (
    AccountKind,
    IntentKind,
    IntentStatus,
    Payout,
    PayoutAccount,
    PayoutAccountStatus,
    ProviderIntent,
    Transaction,
    TransactionKind,
)
from ..providers import payments_provider, stripe_enabled
from ..selectors import owed_on
from .ledger import fingerprint, paid_out_account, payable_account, post
from .provider_hook import MOVING_KINDS
from .provider_intents import intent_advance, intent_call, intent_start, provider_metadata, transfer_group
from .provider_sources import charged_at_provider, funding_charge_of

DONE = (IntentStatus.SUCCEEDED, IntentStatus.FAILED)
# An intent still started after this long was left by a crash or an unreachable provider.
RECOVERY_AFTER = timedelta(minutes=2)
# How far back the sweep looks for releases still waiting for their transfer.
WAITING_WINDOW = timedelta(days=90)


def moves_of(tx):
    """[(step, amount)] the provider must make for the ledger transaction `tx`."""
    shares = {AccountKind.PAYABLE: 0, AccountKind.OWNER_FUNDING: 0}
    for entry in tx.entries.select_related("account"):
        if entry.amount > 0 and entry.account.kind in shares:
            shares[entry.account.kind] += entry.amount
    moves = []
    if shares[AccountKind.PAYABLE]:
        moves.append(("transfer", shares[AccountKind.PAYABLE]))
    if shares[AccountKind.OWNER_FUNDING]:
        moves.append(("refund", shares[AccountKind.OWNER_FUNDING]))
    return moves


def provider_moves_apply(*, transaction_ids):
    """Make at the provider the moves the ledger transactions `transaction_ids` posted (safe to
    run twice or concurrently: each move is an intent with its own key)."""
    if not stripe_enabled():
        return 0
    made = 0
    txs = Transaction.objects.filter(pk__in=transaction_ids, kind__in=MOVING_KINDS)
    for tx in txs.select_related("engagement__workspace", "engagement__freelancer__user", "milestone"):
        charge = funding_charge_of(tx)
        if charge is None:
            continue  # funded off the platform: nothing is held at Stripe for it
        for step, amount in moves_of(tx):
            try:
                made += _move(tx=tx, step=step, amount=amount, charge=charge)
            except ProviderError:
                continue  # recorded on the intent (failed) or left started for the recovery sweep
    return made


def _move(*, tx, step, amount, charge):
    engagement = tx.engagement
    if step == "transfer":
        account = PayoutAccount.objects.filter(freelancer_id=engagement.freelancer_id).first()
        if account is None or not account.is_ready:
            with transaction.atomic():
                provider_emails.payout_waiting(engagement=engagement, transaction=tx, amount=amount)
            return 0
    kind = IntentKind.TRANSFER if step == "transfer" else IntentKind.REFUND
    intent = intent_start(workspace=engagement.workspace, kind=kind, ledger_key=tx.idempotency_key, step=step,
                          amount=amount, currency=charge.currency, engagement=engagement, milestone=tx.milestone,
                          freelancer=engagement.freelancer if step == "transfer" else None, source_transaction=tx)
    if intent.status in DONE:
        return 0
    if step == "transfer" and intent.attempts == 0 and owed_on(engagement) < amount:
        # Paid by hand meanwhile (a payout recorded while payouts were not ready): never twice.
        intent_advance(intent_id=intent.pk, status=IntentStatus.FAILED,
                       error="Not transferred: it was already paid out another way.")
        return 0
    # A started intent is replayed with its own key: Stripe answers its first result.
    provider = payments_provider()
    metadata = provider_metadata(engagement=engagement, milestone=tx.milestone, ledger_key=tx.idempotency_key)
    if step == "transfer":
        result = intent_call(intent, lambda key: provider.transfer_create(
            amount=amount, currency=charge.currency, destination=account.provider_account_id,
            source_transaction=charge.charge_id, transfer_group=transfer_group(engagement), metadata=metadata,
            idempotency_key=key))
        return int(transfer_record(intent_id=intent.pk, transfer=result))
    result = intent_call(intent, lambda key: provider.refund_create(
        payment_intent=charge.payment_intent_id, amount=amount, metadata=metadata, idempotency_key=key))
    return int(intent_advance(intent_id=intent.pk, status=IntentStatus.SUCCEEDED, provider_id=result["id"]))


@transaction.atomic
def transfer_record(*, intent_id, transfer):
    """The transfer exists at Stripe: the ledger moves payable → paid out, once."""
    if not intent_advance(intent_id=intent_id, status=IntentStatus.SUCCEEDED, provider_id=transfer["id"]):
        return False  # another worker recorded it first
    intent = ProviderIntent.objects.select_related("engagement__workspace", "engagement__freelancer__user").get(
        pk=intent_id)
    eng, amount = intent.engagement, intent.amount
    tx = post(
        workspace=eng.workspace, kind=TransactionKind.PAYOUT, currency=eng.currency,
        lines=[(payable_account(eng.freelancer), -amount), (paid_out_account(eng.freelancer), amount)],
        idempotency_key=intent.idempotency_key, fingerprint=fingerprint("provider_transfer", {"intent": intent.pk}),
        engagement=eng, milestone=intent.milestone, automatic=True,
        memo=f"Transferred through Stripe, transfer {transfer['id']}",
    )
    ProviderIntent.objects.filter(pk=intent.pk).update(ledger_transaction=tx)
    payout = Payout.objects.create(
        workspace=eng.workspace, freelancer=eng.freelancer, engagement=eng, amount=amount, currency=eng.currency,
        method="stripe", reference=transfer["id"], paid_on=timezone.localdate(),
        gateway="payments.providers.stripe.StripeProvider", transaction=tx,
    )
    emails.payout_sent(payout=payout)
    timeline.record(engagement=eng, kind="payout_recorded", milestone=intent.milestone,
                    summary=f"{timeline.money(amount, eng)} transferred to the freelancer through Stripe.")
    return True


def refund_unfundable(*, intent_id):
    """Money paid for a milestone that could not be funded any more goes back in full."""
    checkout = ProviderIntent.objects.select_related("engagement", "milestone").get(pk=intent_id)
    intent = intent_start(workspace=checkout.workspace, kind=IntentKind.REFUND, ledger_key=checkout.ledger_key,
                          step="refund-unfunded", amount=checkout.amount, currency=checkout.currency,
                          engagement=checkout.engagement, milestone=checkout.milestone)
    if intent.status in DONE:
        return intent
    metadata = provider_metadata(engagement=checkout.engagement, milestone=checkout.milestone,
                                 ledger_key=checkout.ledger_key)
    result = intent_call(intent, lambda key: payments_provider().refund_create(
        payment_intent=checkout.payment_intent_id, amount=checkout.amount, metadata=metadata, idempotency_key=key))
    intent_advance(intent_id=intent.pk, status=IntentStatus.SUCCEEDED, provider_id=result["id"])
    return intent


def payable_transfers_start(*, freelancer_id):
    """Transfer what a freelancer whose payouts just became ready was released meanwhile."""
    waiting = _waiting_moves().filter(engagement__freelancer_id=freelancer_id)
    return provider_moves_apply(transaction_ids=list(waiting.values_list("pk", flat=True)))


def _waiting_moves():
    """Ledger transactions of milestones paid through Stripe whose moves were never started (a
    release waiting for payouts to be ready, a task lost with the broker). One already started is
    the stale-intent branch's, so a call still under way is not made again beside it."""
    # A resolution may ask for two moves (a transfer and a refund); the others for one.
    return (Transaction.objects.filter(charged_at_provider(), kind__in=MOVING_KINDS,
                                       created_at__gte=timezone.now() - WAITING_WINDOW)
            .annotate(started=Count("provider_moves"))
            .filter(Q(started=0) | Q(kind=TransactionKind.RESOLVE, started=1)))


def intent_recovery_sweep(*, now=None):
    """Replay, with their own keys, the moves a crash or an outage left unfinished, and transfer
    releases waiting for freelancers whose payouts are ready now. Returns how many moved."""
    if not stripe_enabled():
        return 0
    now = now or timezone.now()
    stale = ProviderIntent.objects.filter(status=IntentStatus.STARTED, updated_at__lt=now - RECOVERY_AFTER,
                                          kind__in=[IntentKind.TRANSFER, IntentKind.REFUND]
                                          ).exclude(source_transaction=None)
    ids = set(stale.values_list("source_transaction_id", flat=True))
    ready = Engagement.objects.filter(freelancer__payout_account__status=PayoutAccountStatus.READY)
    ids |= set(_waiting_moves().filter(engagement__in=ready).values_list("pk", flat=True)[:500])
    return provider_moves_apply(transaction_ids=sorted(ids))
