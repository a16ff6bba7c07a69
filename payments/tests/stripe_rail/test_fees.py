"""Stripe's fee in the ledger: the platform's cost under separate charges and transfers, posted
from the charge's balance transaction as its own transaction (platform → provider fees), once,
while the owner's funding and the escrow keep the full amount."""

import pytest
from django.urls import reverse

from payments.models import AccountKind, ProviderIntent, Transaction, TransactionKind
from payments.services.provider_events import provider_event_process
from payments.services.reconciliation import reconciliation_run
from payments.tests.conftest import balance, new_key

from .conftest import checkout_of

pytestmark = pytest.mark.django_db

CARD_FEE = 150_000 * 29 // 1000 + 30  # 2.9 % + 30 (the fake's card price)


def test_the_fee_is_posted_once_from_the_balance_transaction(stripe_rail, deliver, owner_api, owner_client,
                                                            milestone):
    owner_api.post(reverse("api:milestone-fund", args=[milestone.pk]), {}, format="json",
                   HTTP_IDEMPOTENCY_KEY=new_key())
    stripe_rail.complete_checkout(checkout_of(milestone).provider_id)
    deliver(duplicate=True)  # every event twice: still one funding, one fee
    intent = checkout_of(milestone)
    fee = Transaction.objects.get(kind=TransactionKind.PROVIDER_FEE)
    assert intent.fee == CARD_FEE == 4_380
    assert fee.milestone == milestone and fee.automatic and intent.charge_id in fee.memo
    assert "Stripe processing fees 43.80 USD" in fee.memo and "paid by the platform" in fee.memo
    assert {(e.account.kind, e.amount) for e in fee.entries.all()} == {(AccountKind.PLATFORM, -CARD_FEE),
                                                                      (AccountKind.PROVIDER_FEES, CARD_FEE)}
    # The owner funded the full amount and the escrow holds it all: the fee is not theirs.
    assert balance(AccountKind.OWNER_FUNDING) == -150_000 and balance(AccountKind.ESCROW) == 150_000
    assert Transaction.objects.filter(kind=TransactionKind.FUND).count() == 1
    # Stripe's own figure: what the platform received is the amount less this fee.
    bt = stripe_rail.objects[stripe_rail.objects[intent.charge_id]["balance_transaction"]]
    assert (bt["fee"], bt["net"]) == (CARD_FEE, 150_000 - CARD_FEE)

    # Processed again (a late duplicate, the sweep): nothing more.
    for event in stripe_rail.objects_of("event", type="payment_intent.succeeded"):
        provider_event_process(event_id=event["id"])
    assert Transaction.objects.filter(kind=TransactionKind.PROVIDER_FEE).count() == 1
    # The owner's engagement page lists it, saying whose cost it is.
    page = owner_client.get(reverse("payments:ledger", args=[milestone.engagement_id])).content.decode()
    assert "43.80" in page and "paid by the platform" in page


def test_reconciliation_reading_the_fee_again_posts_it_no_second_time(stripe_rail, deliver, owner_api, milestone):
    owner_api.post(reverse("api:milestone-fund", args=[milestone.pk]), {}, format="json",
                   HTTP_IDEMPOTENCY_KEY=new_key())
    stripe_rail.complete_checkout(checkout_of(milestone).provider_id)
    deliver()
    # As if the fee had not been read when the charge was confirmed: reconciliation reads it from
    # the balance transaction and posts it under the same key, which finds the first posting.
    ProviderIntent.objects.filter(kind="checkout").update(fee=None)
    assert Transaction.objects.filter(kind=TransactionKind.PROVIDER_FEE).count() == 1
    reconciliation_run()
    assert checkout_of(milestone).fee == CARD_FEE
    assert Transaction.objects.filter(kind=TransactionKind.PROVIDER_FEE).count() == 1  # the same key: once
