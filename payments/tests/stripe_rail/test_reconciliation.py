"""The nightly reconciliation: Stripe's balance transactions matched to what we asked of Stripe;
anything that does not match is listed on the dashboard's money card, in the API and the audit
log."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from payments import services
from payments.models import ProviderIntent
from payments.services.reconciliation import reconciliation_run
from payments.tests.conftest import new_key, submit

from .conftest import checkout_of, paid_and_released, payouts_on

pytestmark = pytest.mark.django_db


def test_what_matches_is_counted_and_what_does_not_is_shown(stripe_rail, deliver, owner_api, owner_client, owner,
                                                           freelancer, make_milestone,
                                                           django_capture_on_commit_callbacks, time_machine):
    owner_api.post(reverse("api:freelancer-payout-account", args=[freelancer.pk]))
    stripe_rail.complete_onboarding(freelancer.payout_account.provider_account_id)
    paid, other = make_milestone(amount=50_000), make_milestone(amount=20_000)
    for m in (paid, other):
        owner_api.post(reverse("api:milestone-fund", args=[m.pk]), {}, format="json", HTTP_IDEMPOTENCY_KEY=new_key())
        stripe_rail.complete_checkout(checkout_of(m).provider_id)
    deliver()
    submit(paid)
    with django_capture_on_commit_callbacks(execute=True):
        services.milestone_release(milestone=paid, actor=owner, idempotency_key=new_key())
    assert owner_api.get(reverse("api:reconciliation")).json() == {"ran_at": None, "matched": 0, "unexplained": []}
    # The platform covers Stripe's fees from its own money (else its balance is short of the
    # held funds: the next test).
    stripe_rail.add_balance(sum(checkout_of(m).fee for m in (paid, other)), "usd")

    reconciliation_run()
    body = owner_api.get(reverse("api:reconciliation")).json()
    assert body["matched"] == 3 and body["unexplained"] == []  # two charges, one transfer
    assert "disagree" not in owner_client.get(reverse("dashboard:home")).content.decode()

    # The ledger says a charge of 20,000 was taken; Stripe took something else.
    ProviderIntent.objects.filter(milestone=other, kind="checkout").update(amount=25_000)
    assert reconciliation_run() == []  # once a day
    time_machine.move_to(timezone.now() + timedelta(days=1))
    reconciliation_run()
    body = owner_api.get(reverse("api:reconciliation")).json()
    charge = checkout_of(other).charge_id
    assert body["matched"] == 2
    assert body["unexplained"] == [{"provider_id": charge, "amount": 25_000,
                                    "reason": "Stripe moved 20000, the ledger 25000."}]
    home = owner_client.get(reverse("dashboard:home")).content.decode()
    assert "Stripe and the ledger disagree on 1 item" in home and charge in home
    assert AuditEvent.objects.filter(action="money.provider_unexplained", detail__startswith=charge).count() == 1


def test_held_funds_beyond_the_platforms_balance_are_an_exception_with_the_figures(
        stripe_rail, deliver, owner_api, owner_client, owner, freelancer, make_milestone,
        django_capture_on_commit_callbacks, time_machine):
    payouts_on(owner_api, freelancer, stripe_rail)
    released, held = make_milestone(amount=50_000), make_milestone(amount=20_000)
    owner_api.post(reverse("api:milestone-fund", args=[held.pk]), {}, format="json", HTTP_IDEMPOTENCY_KEY=new_key())
    stripe_rail.complete_checkout(checkout_of(held).provider_id)
    paid_and_released(owner_api, owner, released, stripe_rail, deliver, django_capture_on_commit_callbacks)
    fees = sum(checkout_of(m).fee for m in (released, held))
    assert fees == (50_000 * 29 // 1000 + 30) + (20_000 * 29 // 1000 + 30)
    # Stripe keeps its fees from what the owner paid; the ledger holds the full 20,000 still to
    # release, so the platform's balance is short by the fees until the platform covers them.
    balance = stripe_rail.platform_balance("usd")
    assert balance["available"] + balance["pending"] == 20_000 - fees

    reconciliation_run()
    body = owner_api.get(reverse("api:reconciliation")).json()
    assert body["matched"] == 3
    assert fees == 2_090
    assert body["unexplained"] == [{
        "provider_id": "balance:usd", "amount": 2_090,
        "reason": "The platform's Stripe balance (179.10 USD available and pending) is 20.90 USD short of the "
                  "200.00 USD held for payments made through Stripe (200.00 USD of it for this workspace).",
    }]
    home = owner_client.get(reverse("dashboard:home")).content.decode()
    assert "balance:usd" in home and "short of the 200.00 USD held" in home
    assert AuditEvent.objects.filter(action="money.provider_unexplained", detail__startswith="balance:usd").count() == 1

    # The platform covers Stripe's fees from its own money: the next run finds nothing short.
    stripe_rail.add_balance(fees, "usd")
    time_machine.move_to(timezone.now() + timedelta(days=1))
    reconciliation_run()
    assert owner_api.get(reverse("api:reconciliation")).json()["unexplained"] == []
