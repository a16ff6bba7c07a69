"""Bonuses (owner funding → payable) and payouts (payable → paid out, through the gateway)."""

from datetime import date, timedelta

from django.utils import timezone

from engagements.models import Engagement

from .. import emails, timeline, webhooks
from ..errors import BudgetExceeded, CurrencyMismatch, InsufficientFunds, InvalidInput
from ..gateways import PayoutRequest, method_choices, payout_gateway
from ..models import Account, ChargePurpose, Payout, TransactionKind
from ..providers import stripe_enabled
from ..roles import require_owner
from ..selectors import asked_not_posted, committed_spend, owed_on
from ._amounts import positive
from .ledger import owner_funding_account, paid_out_account, payable_account, post, run_idempotent
from .provider_charges import charge_open, charge_poster


def _check_currency(engagement, currency):
    if currency is not None and currency != engagement.currency:
        raise CurrencyMismatch(f"This engagement is paid in {engagement.currency}, not {currency}.", field="currency")


def bonus_pay(*, engagement, actor, amount, note, idempotency_key, currency=None):
    """A bonus on top of the agreed price: owed to the freelancer at once (with Stripe on, once the
    owner's saved method is charged: a ProviderCharge is returned until then). It counts against
    the budget like funding does."""
    note = (note or "").strip()
    params = {"engagement": engagement.pk, "amount": amount, "currency": currency, "note": note}

    def perform(key, fp):
        require_owner(engagement.workspace, actor)
        value = positive(amount, "amount")
        _check_currency(engagement, currency)
        if not note:
            raise InvalidInput("Add a note saying what the bonus is for.", field="note")
        eng = Engagement.objects.select_for_update().select_related("workspace", "freelancer").get(pk=engagement.pk)
        committed, asked = committed_spend(eng), asked_not_posted(eng)
        if committed + asked + value > eng.budget_with_contingency:
            charging = f" (with {timeline.money(asked, eng)} being charged)" if asked else ""
            raise BudgetExceeded(
                f"This bonus would commit {timeline.money(committed + asked + value, eng)}{charging}, past the "
                f"budget with contingency ({timeline.money(eng.budget_with_contingency, eng)}). Raise the budget "
                "first.",
                field="amount",
            )
        if stripe_enabled():  # charged to the owner's saved method first; owed once paid
            return charge_open(engagement=eng, purpose=ChargePurpose.BONUS, amount=value, key=key, fp=fp,
                               actor=actor, memo=f"Bonus: {note}", note=note)
        return _bonus_post(eng, amount=value, key=key, fp=fp, actor=actor, note=note)

    return run_idempotent(workspace=engagement.workspace, key=idempotency_key, action="bonus_pay", params=params,
                          perform=perform)


def _bonus_post(eng, *, amount, key, fp, actor, note):
    tx = post(
        workspace=eng.workspace, kind=TransactionKind.BONUS, currency=eng.currency,
        lines=[(owner_funding_account(eng.workspace), -amount), (payable_account(eng.freelancer), amount)],
        idempotency_key=key, fingerprint=fp, engagement=eng, actor=actor, memo=f"Bonus: {note}",
    )
    emails.bonus_paid(engagement=eng, transaction=tx, amount=amount, note=note)
    timeline.record(engagement=eng, kind="bonus_paid", actor=actor,
                    summary=f"Bonus of {timeline.money(amount, eng)}: {note}")
    return tx


@charge_poster(ChargePurpose.BONUS)
def _bonus_charged(charge):
    return _bonus_post(charge.engagement, amount=charge.amount, key=charge.ledger_key, fp=charge.request_fingerprint,
                       actor=charge.created_by, note=charge.note)


def payout_record(*, engagement, actor, amount, method, reference, paid_on, idempotency_key, note="",
                  currency=None):
    """Pay the freelancer (part of) what they are owed on this engagement. The configured
    gateway performs or records the transfer; the ledger moves payable → paid out."""
    reference = (reference or "").strip()
    note = (note or "").strip()
    params = {"engagement": engagement.pk, "amount": amount, "currency": currency, "method": method,
              "reference": reference, "paid_on": str(paid_on), "note": note}

    def perform(key, fp):
        require_owner(engagement.workspace, actor)
        value = positive(amount, "amount")
        _check_currency(engagement, currency)
        if method not in dict(method_choices()):
            raise InvalidInput("Choose how the money was sent.", field="method")
        if not isinstance(paid_on, date):
            raise InvalidInput("Give the date the money was sent.", field="paid_on")
        if paid_on > timezone.now().date() + timedelta(days=1):
            raise InvalidInput("The payment date cannot be in the future.", field="paid_on")
        if len(reference) > 120:
            raise InvalidInput("The reference is at most 120 characters.", field="reference")
        eng = Engagement.objects.select_related("workspace", "freelancer").get(pk=engagement.pk)
        payable = payable_account(eng.freelancer)
        # Serialise payouts to this freelancer: the balance check below must see every earlier one.
        Account.objects.select_for_update().get(pk=payable.pk)
        owed = owed_on(eng)
        if value > owed:
            raise InsufficientFunds(
                f"Only {timeline.money(owed, eng)} is owed on this engagement; a payout cannot exceed what is "
                "owed.",
                field="amount",
            )
        gateway = payout_gateway()
        result = gateway.transfer(PayoutRequest(
            workspace_id=eng.workspace_id, freelancer_id=eng.freelancer_id, engagement_id=eng.pk, amount=value,
            currency=eng.currency, method=method, reference=reference, paid_on=paid_on, idempotency_key=key,
        ))
        tx = post(
            workspace=eng.workspace, kind=TransactionKind.PAYOUT, currency=eng.currency,
            lines=[(payable, -value), (paid_out_account(eng.freelancer), value)],
            idempotency_key=key, fingerprint=fp, engagement=eng, actor=actor,
            memo=f"Payout by {dict(method_choices())[method]}, reference {result.reference}"
                 + (f": {note}" if note else ""),
        )
        payout = Payout.objects.create(
            workspace=eng.workspace, freelancer=eng.freelancer, engagement=eng, amount=value, currency=eng.currency,
            method=method, reference=result.reference, paid_on=paid_on, gateway=type(gateway).__module__ + "."
            + type(gateway).__qualname__, note=note, transaction=tx, created_by=actor,
        )
        emails.payout_sent(payout=payout)
        webhooks.payout_paid(payout)
        timeline.record(engagement=eng, kind="payout_recorded", actor=actor,
                        summary=f"Payout of {timeline.money(value, eng)} recorded ({dict(method_choices())[method]}).")
        return tx

    return run_idempotent(workspace=engagement.workspace, key=idempotency_key, action="payout_record",
                          params=params, perform=perform)
