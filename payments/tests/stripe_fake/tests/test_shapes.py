"""Every kind of object the fake answers with has the recorded shape (recorded/*.json: every key
Stripe sends, with its value type), and every event it emits is a type Stripe has."""

import json
import typing

import pytest
import stripe

from payments.tests.stripe_fake import FakeStripe
from payments.tests.stripe_fake.record import record
from payments.tests.stripe_fake.shapes import RECORDED, RESOURCES, mismatches, resource_shape

from .conftest import checkout, paid_charge


@pytest.fixture
def responses(fake, client, account):
    """One API response of each recorded kind, built through the client."""
    charge = paid_charge(fake, client)
    pi = client.v1.payment_intents.retrieve(charge.payment_intent)
    session = client.v1.checkout.sessions.retrieve(fake.select("checkout.session", None)[0]["id"])
    transfer = client.v1.transfers.create({"amount": 50_000, "currency": "eur", "destination": account["id"],
                                           "source_transaction": charge.id})
    # Reversed before the payout below empties the account (then Stripe refuses a reversal).
    reversal = client.v1.transfers.reversals.create(transfer.id, {"amount": 100})
    fake.make_available(account["id"])
    fake.open_dispute(paid_charge(fake, client, 1_000).id)
    [payout] = fake.run_payouts(account["id"])
    as_account = {"stripe_account": account["id"]}
    found = {
        "account": client.v1.accounts.retrieve(account["id"]),
        "account_link": client.v1.account_links.create({"account": account["id"], "type": "account_onboarding",
                                                         "return_url": "https://app.example/back",
                                                         "refresh_url": "https://app.example/again"}),
        "balance": client.v1.balance.retrieve(), "balance_transaction": charge.balance_transaction,
        "charge": client.v1.charges.retrieve(charge.id), "checkout.session": session,
        "customer": client.v1.customers.retrieve(pi.customer),
        "dispute": client.v1.disputes.retrieve(fake.select("dispute", None)[0]["id"]),
        "event": client.v1.events.list({"limit": 1}).data[0], "payment_intent": pi,
        "payment_method": client.v1.payment_methods.retrieve(pi.payment_method),
        "payout": client.v1.payouts.retrieve(payout["id"], options=as_account),
        "refund": client.v1.refunds.create({"charge": charge.id, "amount": 100}),
        "transfer": transfer,
        "transfer_reversal": reversal,
    }
    assert checkout  # the same helpers as the other tests
    return {name: json.loads(json.dumps(obj.to_dict())) for name, obj in found.items()}


@pytest.mark.parametrize("object_name", sorted(RESOURCES))
def test_the_fake_answers_with_the_recorded_shape(responses, object_name):
    recorded = json.loads((RECORDED / f"{object_name}.json").read_text())
    response = responses[object_name]
    assert response.get("object", object_name) == object_name
    assert mismatches(response, recorded["shape"]) == []


def test_the_shape_check_bites():
    shape = {"amount": "integer", "destination": "string|null", "reversals": {"data": []}}
    assert mismatches({"amount": 5, "destination": None, "reversals": {"data": []}}, shape) == []
    assert mismatches({"amount": "5", "reversals": {"data": {}}}, shape) == [
        "$.amount: expected integer, got string", "$.destination: missing",
        "$.reversals.data: expected an array, got {}"]


def test_every_event_the_fake_emits_is_a_real_event_type(fake, responses):
    real = set(typing.get_args(stripe.Event.__annotations__["type"]))
    emitted = {event["type"] for event in fake.select("event", None)}
    emitted |= {e["type"] for a in fake.select("account", None) for e in fake.select("event", a["id"])}
    assert emitted - real == set()
    assert {"checkout.session.completed", "transfer.created", "transfer.reversed", "charge.refunded",
            "charge.dispute.created", "payout.paid", "account.updated"} <= emitted


def test_the_recorder_makes_only_calls_the_api_accepts(tmp_path, capsys):
    fake = FakeStripe(platform_country="US")  # a US platform in US dollars, as the recorder assumes
    client = fake.client()
    connected = client.v1.accounts.create({"type": "express", "capabilities": {"transfers": {"requested": True}}})
    fake.complete_onboarding(connected.id)
    recorded = record(client, connected=connected.id, directory=tmp_path)

    assert set(recorded) == set(RESOURCES) - {"payout"}  # no payout has run yet
    assert [status for _, _, status in fake.requests] == [200] * len(fake.requests)
    charge_shape = json.loads((tmp_path / "charge.json").read_text())
    assert charge_shape["_source"].startswith("recorded from Stripe test mode")
    assert charge_shape["shape"]["amount"] == "integer"


def test_the_written_shapes_are_what_the_installed_package_declares(tmp_path):
    """A package upgrade that changes a resource shows up here until `make stripe-record` runs."""
    for path in RECORDED.glob("*.json"):
        committed = json.loads(path.read_text())
        if committed["_source"].startswith("written from"):
            assert committed["shape"] == resource_shape(committed["object"]), path.name
