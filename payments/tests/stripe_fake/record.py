"""`make stripe-record`: the response shapes of real Stripe test mode, written to recorded/*.json,
so CI can check that the fake answers with the same keys and value types.

    STRIPE_TEST_SECRET_KEY=sk_test_… [STRIPE_TEST_CONNECTED_ACCOUNT=acct_… (onboarded, transfers
    active)] python -m payments.tests.stripe_fake.record

Without a key it writes the shapes from the `stripe` package's resource types instead (how the
committed first set was made). Only shapes are stored: keys and value types, never values."""

import datetime
import json
import os
import sys

import stripe
from stripe._api_version import _ApiVersion

from .shapes import RECORDED, RESOURCES, resource_shape, shape_of

_WRITTEN = ("written from the stripe {version} package's resource types (stripe.{cls}.__annotations__), "
            "NOT recorded from Stripe; run `make stripe-record` with STRIPE_TEST_SECRET_KEY to replace")
_RECORDED = "recorded from Stripe test mode on {date} with API version {api}"


def write(object_name, shape, source, directory=RECORDED):
    directory.mkdir(exist_ok=True)
    path = directory / f"{object_name}.json"
    path.write_text(json.dumps({"_source": source, "object": object_name, "shape": shape}, indent=1,
                               sort_keys=True) + "\n")
    return path


def write_from_types():
    for object_name, cls in RESOURCES.items():
        write(object_name, resource_shape(object_name),
              _WRITTEN.format(version=stripe.VERSION, cls=f"{cls.__module__.split('.')[-1]}.{cls.__name__}"))


def _checkout_objects(client):
    customer = client.v1.customers.create({"email": "record@example.com"})
    session = client.v1.checkout.sessions.create({
        "mode": "payment", "customer": customer.id, "success_url": "https://example.com/ok",
        "line_items": [{"quantity": 1, "price_data": {"currency": "usd", "unit_amount": 2_000,
                                                       "product_data": {"name": "Shape"}}}],
        "payment_intent_data": {"metadata": {"record": "1"}, "transfer_group": "record",
                                "setup_future_usage": "off_session"}})
    client.v1.checkout.sessions.expire(session.id)
    pi = client.v1.payment_intents.create({"amount": 2_000, "currency": "usd", "customer": customer.id,
                                           "payment_method": "pm_card_visa", "off_session": True,
                                           "confirm": True, "transfer_group": "record"})
    charge = client.v1.charges.retrieve(pi.latest_charge)
    found = {"customer": customer, "checkout.session": client.v1.checkout.sessions.retrieve(session.id),
             "payment_intent": pi, "charge": charge,
             "payment_method": client.v1.payment_methods.retrieve(pi.payment_method),
             "balance_transaction": client.v1.balance_transactions.retrieve(charge.balance_transaction),
             "refund": client.v1.refunds.create({"payment_intent": pi.id, "amount": 500}),
             "balance": client.v1.balance.retrieve()}
    disputed = client.v1.payment_intents.create({"amount": 1_000, "currency": "usd", "confirm": True,
                                                 "payment_method": "pm_card_createDispute"})
    disputes = client.v1.disputes.list({"payment_intent": disputed.id})
    if disputes.data:
        found["dispute"] = disputes.data[0]
    return found, charge


def _connect_objects(client, charge, connected):
    account = client.v1.accounts.create({"type": "express", "country": "US",
                                         "capabilities": {"transfers": {"requested": True}}})
    found = {"account": account,
             "account_link": client.v1.account_links.create({
                 "account": account.id, "type": "account_onboarding",
                 "refresh_url": "https://example.com/again", "return_url": "https://example.com/back"})}
    if connected:
        transfer = client.v1.transfers.create({"amount": 1_000, "currency": "usd", "destination": connected,
                                               "source_transaction": charge.id, "transfer_group": "record"})
        found["transfer"] = transfer
        found["transfer_reversal"] = client.v1.transfers.reversals.create(transfer.id, {"amount": 100})
        payouts = client.v1.payouts.list({"limit": 1}, {"stripe_account": connected})
        if payouts.data:
            found["payout"] = payouts.data[0]
    return found


def record(client, *, connected=None, directory=RECORDED):
    """Make the calls with `client` (a StripeClient on a test-mode key) and write the shape of
    each kind of answer → the object names recorded."""
    found, charge = _checkout_objects(client)
    found.update(_connect_objects(client, charge, connected))
    for event in client.v1.events.list({"limit": 1}).data:
        found["event"] = event
    source = _RECORDED.format(date=datetime.date.today().isoformat(), api=_ApiVersion.CURRENT)
    for object_name, obj in found.items():
        print("recorded", write(object_name, shape_of(obj.to_dict()), source, directory))
    missing = sorted(set(RESOURCES) - set(found))
    if missing:
        print("not recorded (kept as they were):", ", ".join(missing), file=sys.stderr)
    return sorted(found)


def main():
    key = os.environ.get("STRIPE_TEST_SECRET_KEY", "")
    if not key:
        print("STRIPE_TEST_SECRET_KEY is not set: writing the shapes from the stripe package's types.")
        write_from_types()
        return
    if not key.startswith(("sk_test_", "rk_test_")):
        sys.exit("STRIPE_TEST_SECRET_KEY must be a test-mode key (sk_test_…): recording makes real calls.")
    record(stripe.StripeClient(key), connected=os.environ.get("STRIPE_TEST_CONNECTED_ACCOUNT"))


if __name__ == "__main__":
    main()
