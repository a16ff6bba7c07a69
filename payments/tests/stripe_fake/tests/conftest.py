"""The fake, a StripeClient on it, and a connected account ready for transfers."""

import pytest

from payments.tests.stripe_fake import FakeStripe


@pytest.fixture
def fake():
    return FakeStripe(default_currency="eur", platform_country="DE")


@pytest.fixture
def client(fake):
    return fake.client()


@pytest.fixture
def account(fake, client):
    created = client.v1.accounts.create({"type": "express", "country": "DE",
                                         "capabilities": {"transfers": {"requested": True}},
                                         "tos_acceptance": {"service_agreement": "recipient"}})
    fake.complete_onboarding(created.id)
    return fake.objects[created.id]


def checkout(client, amount=150_000, *, methods=None, **extra):
    params = {"mode": "payment", "success_url": "https://app.example/ok?session={CHECKOUT_SESSION_ID}",
              "cancel_url": "https://app.example/cancel", "metadata": {"milestone": "7"},
              "line_items": [{"quantity": 1, "price_data": {"currency": "eur", "unit_amount": amount,
                                                             "product_data": {"name": "Home page"}}}],
              "payment_intent_data": {"metadata": {"milestone": "7"}, "transfer_group": "engagement-3",
                                      "setup_future_usage": "off_session"}, **extra}
    if methods:
        params["allowed_payment_method_types"] = methods
    return client.v1.checkout.sessions.create(params)


def paid_charge(fake, client, amount=150_000):
    session = checkout(client, amount)
    fake.complete_checkout(session.id)
    pi = client.v1.payment_intents.retrieve(fake.objects[session.id]["payment_intent"])
    return client.v1.charges.retrieve(pi.latest_charge, {"expand": ["balance_transaction"]})
