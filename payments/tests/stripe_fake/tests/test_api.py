"""The fake answers like Stripe: idempotent replay, refused parameters, balances and
insufficient funds, Stripe-Account scoping, pagination, errors in Stripe's shape."""

import pytest
import stripe

from .conftest import checkout, paid_charge


def test_same_idempotency_key_replays_the_first_answer_and_moves_money_once(fake, client, account):
    charge = paid_charge(fake, client)
    params = {"amount": 100_000, "currency": "eur", "destination": account["id"],
              "source_transaction": charge.id, "transfer_group": "engagement-3", "metadata": {"key": "k1"}}
    first = client.v1.transfers.create(params, {"idempotency_key": "release-7:transfer"})
    again = client.v1.transfers.create(params, {"idempotency_key": "release-7:transfer"})

    assert again.id == first.id
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.last_response.headers
    assert [t.id for t in client.v1.transfers.list().data] == [first.id]
    assert fake.connected_balance(account["id"]) == {"available": 0, "pending": 100_000}
    with pytest.raises(stripe.IdempotencyError) as error:
        client.v1.transfers.create({**params, "amount": 99_000}, {"idempotency_key": "release-7:transfer"})
    assert "same parameters" in error.value.user_message
    assert error.value.http_status == 400


@pytest.mark.parametrize(("params", "param", "message"), [
    ({"bogus": "1"}, "bogus", "Received unknown parameter: bogus"),
    ({"payment_intent_data": {"escrow": "true"}}, "payment_intent_data[escrow]",
     "Received unknown parameter: payment_intent_data[escrow]"),
    ({"line_items": [{"quantity": "many"}]}, "line_items[0][quantity]", "Invalid integer: many"),
    ({"line_items": [{"price_data": {"unit_amount": 5, "product_data": {"name": "x"}}}]},
     "line_items[0][price_data][currency]", "Missing required param: line_items[0][price_data][currency]."),
])
def test_a_parameter_the_real_api_refuses_is_refused_and_nothing_is_created(fake, client, params, param, message):
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.checkout.sessions.create({"mode": "payment", **params})

    assert error.value.param == param
    assert error.value.user_message == message
    assert error.value.http_status == 400
    assert fake.select("checkout.session", None) == []


def test_a_transfer_without_a_source_needs_available_funds(fake, client, account):
    paid_charge(fake, client, 10_000)  # fee 2.9 % + 30 = 320, pending for two days
    transfer = {"amount": 9_000, "currency": "eur", "destination": account["id"]}
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.transfers.create(transfer)
    assert error.value.code == "balance_insufficient"
    assert fake.platform_balance() == {"available": 0, "pending": 9_680}

    fake.advance(days=2)
    client.v1.transfers.create(transfer)
    assert fake.platform_balance() == {"available": 680, "pending": 0}
    assert fake.connected_balance(account["id"]) == {"available": 9_000, "pending": 0}
    balance = client.v1.balance.retrieve(options={"stripe_account": account["id"]})
    assert [(b.amount, b.currency) for b in balance.available] == [(9_000, "eur")]


def test_a_transfer_to_an_account_not_yet_onboarded_is_refused(fake, client):
    pending = client.v1.accounts.create({"type": "express", "capabilities": {"transfers": {"requested": True}}})
    charge = paid_charge(fake, client)
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.transfers.create({"amount": 5_000, "currency": "eur", "destination": pending.id,
                                    "source_transaction": charge.id})
    assert error.value.code == "insufficient_capabilities_for_transfer"
    assert error.value.param == "destination"


def test_connected_objects_are_seen_only_with_their_stripe_account_header(fake, client, account):
    fake.add_balance(5_000, "eur", account=account["id"])
    [payout] = fake.run_payouts(account["id"])
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.payouts.retrieve(payout["id"])
    assert error.value.http_status == 404
    assert error.value.code == "resource_missing"

    seen = client.v1.payouts.retrieve(payout["id"], options={"stripe_account": account["id"]})
    assert (seen.status, seen.amount) == ("paid", 5_000)
    assert client.v1.balance_transactions.list().data == []
    assert len(client.v1.balance_transactions.list(options={"stripe_account": account["id"]}).data) == 2
    with pytest.raises(stripe.PermissionError):
        client.v1.balance.retrieve(options={"stripe_account": "acct_1nobody"})


def test_lists_page_newest_first_with_cursors(fake, client):
    ids = [client.v1.customers.create({"email": f"c{i}@example.com"}).id for i in range(3)]
    for _ in range(8):
        fake.add_balance(100, "eur")
    first = client.v1.balance_transactions.list({"limit": 5})
    second = client.v1.balance_transactions.list({"limit": 5, "starting_after": first.data[-1].id})
    back = client.v1.balance_transactions.list({"limit": 5, "ending_before": second.data[0].id})

    assert (len(first.data), first.has_more, len(second.data), second.has_more) == (5, True, 3, False)
    assert [t.id for t in back.data] == [t.id for t in first.data]
    assert len(list(client.v1.balance_transactions.list({"limit": 2}).auto_paging_iter())) == 8
    assert ids  # customers are not balance transactions
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.balance_transactions.list({"limit": 101})
    assert error.value.param == "limit"


def test_refunds_are_partial_at_most_the_rest_and_debit_the_platform(fake, client):
    charge = paid_charge(fake, client, 10_000)
    refund = client.v1.refunds.create({"payment_intent": charge.payment_intent, "amount": 4_000,
                                       "metadata": {"key": "r1"}})
    assert (refund.amount, refund.charge, refund.status) == (4_000, charge.id, "succeeded")
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.refunds.create({"charge": charge.id, "amount": 6_001})
    assert error.value.param == "amount"
    client.v1.refunds.create({"charge": charge.id})

    assert fake.platform_balance() == {"available": 0, "pending": -320}  # the fee is not returned
    assert client.v1.charges.retrieve(charge.id).refunded is True
    assert [e["type"] for e in fake.pop_events()][-2:] == ["refund.created", "charge.refunded"]


def test_an_off_session_charge_with_a_saved_card_and_a_declined_one(fake, client):
    session = checkout(client)
    fake.complete_checkout(session.id)
    pi = client.v1.payment_intents.retrieve(fake.objects[session.id]["payment_intent"])
    bonus = client.v1.payment_intents.create({"amount": 2_000, "currency": "eur", "customer": pi.customer,
                                              "payment_method": pi.payment_method, "off_session": True,
                                              "confirm": True, "metadata": {"bonus": "1"}})
    assert bonus.status == "succeeded"

    fake.decline_payment_method(pi.payment_method, "insufficient_funds")
    with pytest.raises(stripe.CardError) as error:
        client.v1.payment_intents.create({"amount": 2_000, "currency": "eur", "customer": pi.customer,
                                          "payment_method": pi.payment_method, "off_session": True, "confirm": True})
    assert error.value.http_status == 402
    assert (error.value.code, error.value.error.decline_code) == ("card_declined", "insufficient_funds")
    assert error.value.error.payment_intent["status"] == "requires_payment_method"


def test_unknown_ids_answer_404_resource_missing(client):
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.charges.retrieve("ch_1missing")
    assert (error.value.http_status, error.value.code, error.value.param) == (404, "resource_missing", "id")


def test_lists_filter_by_the_fields_stripe_filters_on(fake, client, account):
    charge = paid_charge(fake, client)
    other = paid_charge(fake, client, 2_000)
    sessions = client.v1.checkout.sessions.list({"payment_intent": charge.payment_intent})
    assert [s.payment_intent for s in sessions.data] == [charge.payment_intent]
    assert {c.id for c in client.v1.charges.list({"transfer_group": "engagement-3"}).data} == {charge.id, other.id}
    client.v1.transfers.create({"amount": 1_000, "currency": "eur", "destination": account["id"],
                                "source_transaction": other.id, "transfer_group": "engagement-9"})
    assert client.v1.transfers.list({"transfer_group": "engagement-3"}).data == []
    assert len(client.v1.transfers.list({"destination": account["id"]}).data) == 1
    mine = client.v1.customers.create({"email": "own@example.com"}, {"stripe_account": account["id"]})
    assert mine.id not in {c.id for c in client.v1.customers.list().data}
    assert client.v1.accounts.retrieve_current(options={"stripe_account": account["id"]}).id == account["id"]


def test_a_lost_answer_is_recovered_by_replaying_the_same_key_and_moves_money_once(fake, client, account):
    charge = paid_charge(fake, client)
    params = {"amount": 10_000, "currency": "eur", "destination": account["id"], "source_transaction": charge.id}
    fake.inject_fault("lost", path="/v1/transfers")
    with pytest.raises(stripe.APIConnectionError):
        client.v1.transfers.create(params, {"idempotency_key": "release-9:transfer"})
    assert len(fake.objects_of("transfer", destination=account["id"])) == 1  # it ran at "Stripe"

    replayed = client.v1.transfers.create(params, {"idempotency_key": "release-9:transfer"})
    assert replayed.last_response.headers["Idempotent-Replayed"] == "true"
    assert [t["id"] for t in fake.objects_of("transfer")] == [replayed.id]

    fake.inject_fault("error", path="/v1/refunds")
    with pytest.raises(stripe.APIError):
        client.v1.refunds.create({"charge": charge.id, "amount": 100})
    assert fake.objects_of("refund") == []
    assert client.v1.refunds.create({"charge": charge.id, "amount": 100}).amount == 100


def test_expand_replaces_ids_and_refuses_what_cannot_be_expanded(fake, client):
    charge = paid_charge(fake, client)
    pi = client.v1.payment_intents.retrieve(charge.payment_intent,
                                            {"expand": ["latest_charge.balance_transaction", "customer"]})
    assert pi.latest_charge.balance_transaction.fee == 4_380  # 2.9 % of 150,000 + 30
    assert pi.customer.object == "customer"
    session = fake.select("checkout.session", None)[0]["id"]
    lines = client.v1.checkout.sessions.retrieve(session, {"expand": ["line_items"]}).line_items
    assert [(i.description, i.amount_total) for i in lines.data] == [("Home page", 150_000)]
    for path in ("amount", "nothing", "latest_charge.currency"):
        with pytest.raises(stripe.InvalidRequestError) as error:
            client.v1.payment_intents.retrieve(charge.payment_intent, {"expand": [path]})
        assert error.value.param == "expand"


def test_amounts_below_stripes_minimum_and_oversized_metadata_are_refused(client):
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.payment_intents.create({"amount": 49, "currency": "eur", "payment_method": "pm_card_visa",
                                          "confirm": True})
    assert (error.value.code, error.value.param) == ("amount_too_small", "amount")
    with pytest.raises(stripe.InvalidRequestError) as error:
        checkout(client, 20)
    assert error.value.code == "amount_too_small"
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.customers.create({"metadata": {"ledger_key": "x" * 501}})
    assert error.value.param == "metadata[ledger_key]"
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.customers.create({"metadata": {f"k{i}": "v" for i in range(51)}})
    assert error.value.param == "metadata"


def test_a_cross_border_account_needs_the_recipient_agreement(client):
    express = {"type": "express", "capabilities": {"transfers": {"requested": True}}}
    assert client.v1.accounts.create({**express, "country": "FR"}).default_currency == "eur"  # same area
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.accounts.create({**express, "country": "US"})
    assert error.value.param == "tos_acceptance[service_agreement]"
    recipient = client.v1.accounts.create({**express, "country": "US",
                                           "tos_acceptance": {"service_agreement": "recipient"}})
    assert recipient.tos_acceptance.service_agreement == "recipient"
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.accounts.create({"type": "express", "country": "US",
                                   "tos_acceptance": {"service_agreement": "recipient"},
                                   "capabilities": {"card_payments": {"requested": True}}})
    assert error.value.param == "capabilities[card_payments]"
