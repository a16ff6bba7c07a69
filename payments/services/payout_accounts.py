"""A freelancer's payout account at the payment provider (Stripe Express, transfers only).

The owner turns payouts on for a freelancer (`payout_account_enable`): the connected account is
created (an intent first, its key naming the freelancer, so a retry finds the same account) and
the freelancer is emailed to set it up. The freelancer follows a one-time Account Link
(`payout_account_link`) to Stripe's own onboarding, where Stripe collects and keeps their
identity and bank details; we never see them. Readiness is whatever Stripe last said in
`account.updated` (`payout_account_sync`), shown on both sides; the moment an account becomes
ready, what was released to the freelancer meanwhile is transferred.
"""

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.audit import audit_record
from notifications.links import absolute

from .. import provider_emails
from ..errors import ProviderNotEnabled, StateConflict
from ..models import IntentKind, IntentStatus, PayoutAccount, PayoutAccountStatus
from ..providers import payments_provider
from ..roles import require_owner
from .provider_intents import intent_advance, intent_call, intent_start
from .provider_moves import payable_transfers_start

S = PayoutAccountStatus


def _provider():
    provider = payments_provider()
    if not provider.moves_money:
        raise ProviderNotEnabled("Payouts are recorded by hand in this deployment: money moves outside the "
                                 "platform, so there is nothing to set up.")
    return provider


def payout_account_enable(*, freelancer, actor):
    """Turn on payouts for `freelancer` (the workspace owner only): their connected account,
    created once. Returns the PayoutAccount."""
    require_owner(freelancer.workspace, actor)
    provider = _provider()
    existing = PayoutAccount.objects.filter(freelancer=freelancer).first()
    if existing is not None:
        return existing
    intent = intent_start(workspace=freelancer.workspace, kind=IntentKind.ACCOUNT,
                          ledger_key=f"payout-account:{freelancer.pk}", step="create", amount=0,
                          currency=freelancer.workspace.currency, freelancer=freelancer, actor=actor)
    account = intent_call(intent, lambda key: provider.account_create(
        email=freelancer.email, country=freelancer.country or None, idempotency_key=key,
        metadata={"workspace": str(freelancer.workspace_id), "freelancer": str(freelancer.pk)}))
    with transaction.atomic():
        row, created = PayoutAccount.objects.get_or_create(freelancer=freelancer, defaults={
            "workspace": freelancer.workspace, "provider": provider.name, "provider_account_id": account["id"],
            "enabled_by": actor,
        })
        intent_advance(intent_id=intent.pk, status=IntentStatus.SUCCEEDED, provider_id=account["id"])
        if created:
            audit_record(workspace=freelancer.workspace, action="money.payouts_enabled", actor=actor, obj=row,
                         detail=f"Payouts through {provider.label} turned on for freelancer {freelancer.pk}.")
            provider_emails.payouts_setup(account=row, freelancer=freelancer)
    return row


def _portal_url(name):
    try:
        return absolute(reverse(name))
    except NoReverseMatch:
        return absolute("/")


def payout_account_link(*, account):
    """A fresh one-time link to Stripe's onboarding for this account (links expire in minutes,
    so one is made each time the freelancer asks)."""
    if account.status == S.READY:
        raise StateConflict("Payouts are already set up.")
    return _provider().account_link(account_id=account.provider_account_id,
                                    refresh_url=_portal_url("portal:payouts"), return_url=_portal_url("portal:payouts"))


def status_of(data):
    """Our status of a Stripe account object."""
    requirements = data.get("requirements") or {}
    if data.get("payouts_enabled") and (data.get("capabilities") or {}).get("transfers") == "active":
        return S.READY
    if not data.get("details_submitted"):
        return S.PENDING
    if requirements.get("currently_due") or requirements.get("past_due"):
        return S.NEEDS_INFORMATION
    return S.RESTRICTED  # everything given, and still not allowed to receive money (Stripe's review)


def payout_account_sync(*, data):
    """Stripe's account object (re-read just now): our row takes its status. Becoming ready
    starts the transfers that waited for it. Returns the row, or None for an account not ours."""
    status = status_of(data)
    due = sorted(set((data.get("requirements") or {}).get("currently_due") or []))
    with transaction.atomic():
        account = PayoutAccount.objects.select_for_update().filter(provider_account_id=data.get("id")).first()
        if account is None:
            return None
        became_ready = status == S.READY and account.status != S.READY
        changed = status != account.status
        account.payouts_enabled = bool(data.get("payouts_enabled"))
        account.transfers_active = (data.get("capabilities") or {}).get("transfers") == "active"
        account.requirements_due = ", ".join(due)[:2000]
        if changed:
            account.status, account.status_changed_at = status, timezone.now()
            audit_record(workspace=account.workspace, action="money.payout_account", obj=account,
                         detail=f"Payout account {account.provider_account_id}: {status}.")
        account.save()
    if became_ready:
        payable_transfers_start(freelancer_id=account.freelancer_id)
    return account
