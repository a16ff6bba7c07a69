"""What the payer's bank and the freelancer's bank do at Stripe, recorded here.

- A card chargeback (`charge.dispute.*`): the payer asked their bank for the money back. A
  milestone not released yet is frozen by the app's own dispute (`milestone_dispute`, on the
  owner's side), which puts it on the dashboard's needs-attention list; the chargeback is kept as
  a provider row (kind `dispute`) and its result (won or lost) recorded when Stripe closes it.
- A payout of a freelancer's Stripe balance to their bank (`payout.paid` / `payout.failed`),
  made by Stripe's automatic schedule: the latest one is shown on both sides.
"""

from datetime import UTC, datetime

from django.db import transaction
from django.db.models import Q

from engagements.models import MilestoneState

from .. import timeline
from ..errors import PaymentError
from ..models import IntentKind, IntentStatus, PayoutAccount, ProviderIntent
from .disputes import milestone_dispute
from .provider_intents import intent_advance, intent_start

S = MilestoneState
FREEZABLE = (S.FUNDED, S.SUBMITTED, S.CHANGES_REQUESTED)


def _id(value):
    return value.get("id", "") if isinstance(value, dict) else (value or "")


def chargeback_record(*, dispute):
    """Stripe's dispute object (re-read just now): recorded once, the milestone frozen if it can
    be, and the result kept when it is closed. Returns the provider row, or None if not ours."""
    checkout = ProviderIntent.objects.select_related("milestone__engagement__workspace", "created_by").filter(
        kind=IntentKind.CHECKOUT, charge_id=_id(dispute.get("charge"))).first()
    if checkout is None:
        return None
    key = f"chargeback:{dispute['id']}"
    row = intent_start(workspace=checkout.workspace, kind=IntentKind.DISPUTE, ledger_key=key, step="opened",
                       amount=dispute.get("amount") or 0, currency=checkout.currency, engagement=checkout.engagement,
                       milestone=checkout.milestone)
    if intent_advance(intent_id=row.pk, status=IntentStatus.PENDING, provider_id=dispute["id"]):
        _freeze(checkout, dispute, key)
    if dispute.get("status") in ("won", "lost"):
        won = dispute["status"] == "won"
        with transaction.atomic():
            if intent_advance(intent_id=row.pk, status=IntentStatus.SUCCEEDED if won else IntentStatus.FAILED,
                              error="" if won else "Lost: the bank gave the payment back to the payer."):
                timeline.record(engagement=checkout.engagement, kind="chargeback_closed", milestone=checkout.milestone,
                                summary=f"The card chargeback on “{checkout.milestone.title}” was "
                                        f"{'won: the payment stands' if won else 'lost: the payer got it back'}.")
    row.refresh_from_db()
    return row


def _freeze(checkout, dispute, key):
    milestone = checkout.milestone
    reason = (f"Card chargeback opened with the payer's bank ({dispute.get('reason') or 'no reason given'}); "
              "answer it in the Stripe Dashboard.")
    milestone.refresh_from_db(fields=["state"])
    if milestone.state in FREEZABLE and checkout.created_by is not None:
        try:
            milestone_dispute(milestone=milestone, actor=checkout.created_by, reason=reason, idempotency_key=key)
            return
        except PaymentError:
            pass  # moved on meanwhile (released, resolved): recorded on the timeline below
    with transaction.atomic():
        timeline.record(engagement=checkout.engagement, kind="chargeback_opened", milestone=milestone,
                        summary=f"Card chargeback on “{milestone.title}”: {reason}")


def payout_account_payout(*, account_id, payout):
    """A payout of the freelancer's Stripe balance to their bank (re-read just now): shown on
    their payout account unless a later one is already."""
    created = datetime.fromtimestamp(payout.get("created") or 0, tz=UTC)
    failure = (payout.get("failure_message") or payout.get("failure_code") or "")[:300]
    return PayoutAccount.objects.filter(provider_account_id=account_id).filter(
        Q(last_payout_at__isnull=True) | Q(last_payout_at__lte=created)).update(
        last_payout_id=payout["id"], last_payout_status=payout.get("status", "")[:20],
        last_payout_amount=payout.get("amount"), last_payout_currency=(payout.get("currency") or "").upper()[:3],
        last_payout_at=created, last_payout_failure=failure) == 1
