"""Events are the real types, signed so `stripe.Webhook.construct_event` accepts them; the bank
debit, dispute and payout stories emit what Stripe emits; the loopback server serves the same API
and the two hosted pages."""

import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import stripe

from payments.tests.stripe_fake.server import FakeStripeServer

from .conftest import checkout, paid_charge


def test_deliveries_verify_with_the_package_and_their_endpoint_secret(fake, client, account):
    paid_charge(fake, client)
    deliveries = fake.signed_deliveries()
    kinds = {(d.kind, d.event["type"]) for d in deliveries}
    assert ("connect", "account.updated") in kinds
    assert ("platform", "checkout.session.completed") in kinds
    for delivery in deliveries:
        secret = fake.connect_webhook_secret if delivery.kind == "connect" else fake.webhook_secret
        event = stripe.Webhook.construct_event(delivery.payload, delivery.signature, secret)
        assert event.id == delivery.event["id"]
        if delivery.kind == "connect":
            assert event.account == account["id"]
    assert fake.signed_deliveries() == []  # popped


def test_tampered_stale_and_wrongly_signed_deliveries_fail_verification(fake, client):
    client.v1.customers.create({})
    paid_charge(fake, client)
    events = fake.pop_events()
    tampered = fake.signed_deliveries(events, tamper=True)[0]
    stale = fake.signed_deliveries(events, stale=True)[0]
    almost = fake.signed_deliveries(events, timestamp=fake.now() - 290)[0]
    assert stripe.Webhook.construct_event(almost.payload, almost.signature, fake.webhook_secret)
    wrong = fake.signed_deliveries(events, secret="whsec_other")[0]
    for delivery in (tampered, stale, wrong):
        with pytest.raises(stripe.SignatureVerificationError):
            stripe.Webhook.construct_event(delivery.payload, delivery.signature, fake.webhook_secret)
    twice = fake.signed_deliveries(events, duplicate=True)
    assert [d.event["id"] for d in twice[::2]] == [d.event["id"] for d in twice[1::2]]
    backwards = fake.signed_deliveries(events, reverse=True)
    assert [d.event["id"] for d in backwards] == [e["id"] for e in reversed(events)]


def test_a_bank_debit_is_processing_until_it_settles_or_bounces(fake, client):
    good, bad = checkout(client, methods=["card", "sepa_debit"]), checkout(client, methods=["sepa_debit"])
    for session in (good, bad):
        assert fake.complete_checkout(session.id, "sepa_debit")["payment_status"] == "unpaid"
    assert fake.platform_balance() == {"available": 0, "pending": 0}
    fake.settle(good.id)
    fake.settle(bad.id, succeeded=False)

    types = [e["type"] for e in fake.pop_events()]
    assert types.count("payment_intent.processing") == 2
    assert "checkout.session.async_payment_succeeded" in types
    assert "checkout.session.async_payment_failed" in types
    assert client.v1.checkout.sessions.retrieve(good.id).payment_status == "paid"
    assert client.v1.payment_intents.retrieve(fake.objects[bad.id]["payment_intent"]).status == \
        "requires_payment_method"
    assert fake.platform_balance() == {"available": 0, "pending": 150_000 - 500}  # SEPA fee capped at 500


def test_a_declined_card_leaves_the_session_open_and_the_next_card_pays_the_same_intent(fake, client):
    session = checkout(client)
    error = fake.complete_checkout(session.id, decline="generic_decline")
    assert (error.status, error.body["code"]) == (402, "card_declined")
    assert client.v1.checkout.sessions.retrieve(session.id).status == "open"
    paid = fake.complete_checkout(session.id)
    types = [e["type"] for e in fake.pop_events()]
    assert types.count("payment_intent.created") == 1
    assert types.index("payment_intent.payment_failed") < types.index("payment_intent.succeeded")
    assert [pi["id"] for pi in fake.objects_of("payment_intent")] == [paid["payment_intent"]]
    assert fake.platform_balance()["pending"] == 150_000 - 4_380


def test_an_abandoned_checkout_expires(fake, client):
    session = checkout(client)
    fake.abandon_checkout(session.id)
    assert client.v1.checkout.sessions.retrieve(session.id).status == "expired"
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.checkout.sessions.expire(session.id)
    assert [e["type"] for e in fake.pop_events()] == ["checkout.session.expired"]


def test_a_chargeback_takes_the_money_and_a_won_dispute_returns_it(fake, client):
    charge = paid_charge(fake, client, 10_000)
    fake.pop_events()
    dispute = fake.open_dispute(charge.id)
    assert fake.platform_balance()["available"] + fake.platform_balance()["pending"] == 9_680 - 10_000 - 1_500
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.refunds.create({"charge": charge.id})
    assert error.value.code == "charge_disputed"
    fake.close_dispute(charge.id, "won")

    assert client.v1.disputes.retrieve(dispute["id"]).status == "won"
    assert sum(fake.platform_balance().values()) == 9_680 - 1_500
    assert [e["type"] for e in fake.pop_events()] == ["charge.dispute.created", "charge.dispute.funds_withdrawn",
                                                      "charge.dispute.funds_reinstated", "charge.dispute.closed"]


def test_a_failed_payout_returns_the_money_to_the_connected_balance(fake, client, account):
    fake.add_balance(7_000, "eur", account=account["id"])
    fake.pop_events()
    [payout] = fake.run_payouts(account["id"], fail=True)
    assert (payout["status"], payout["failure_code"]) == ("failed", "account_closed")
    assert fake.connected_balance(account["id"]) == {"available": 7_000, "pending": 0}
    events = fake.pop_events()
    assert [(e["type"], e["account"]) for e in events] == [("payout.created", account["id"]),
                                                          ("payout.failed", account["id"])]
    listed = client.v1.events.list({"type": "payout.*"}, {"stripe_account": account["id"]})
    assert [e.type for e in listed.data] == ["payout.failed", "payout.created"]
    assert client.v1.events.list({"type": "payout.*"}).data == []


class _Receiver(BaseHTTPRequestHandler):
    received = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, body, self.headers["Stripe-Signature"]))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def _get(url, data=None):
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, data=data), timeout=5) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def test_the_loopback_server_serves_the_api_and_the_hosted_pages(fake):
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    hook = f"http://127.0.0.1:{receiver.server_address[1]}"
    _Receiver.received = []
    try:
        with FakeStripeServer(fake, webhook_urls={"platform": f"{hook}/p", "connect": f"{hook}/c"}) as server:
            client = server.client()
            acct = client.v1.accounts.create({"type": "express", "capabilities": {"transfers": {"requested": True}}})
            link = client.v1.account_links.create({"account": acct.id, "type": "account_onboarding",
                                                   "refresh_url": "https://app.example/again",
                                                   "return_url": "https://app.example/back"})
            assert "Finish setup" in _get(link.url)[2]
            status, headers, _ = _get(link.url, data=b"")
            assert (status, headers["Location"]) == (303, "https://app.example/back")
            assert _get(link.url)[1]["Location"] == "https://app.example/again"  # a link works once

            session = checkout(client)
            assert session.url.startswith(server.url)
            assert "1500.00 EUR" in _get(session.url)[2]
            status, _, page = _get(session.url, data=b"method=card&card=4000+0000+0000+0002")
            assert (status, "Your card was declined." in page) == (402, True)
            status, headers, _ = _get(session.url, data=b"method=card&card=4242+4242+4242+4242")
            assert headers["Location"] == f"https://app.example/ok?session={session.id}"
            assert client.v1.checkout.sessions.retrieve(session.id).payment_status == "paid"
    finally:
        receiver.shutdown()
    paths = {path for path, _, _ in _Received()}
    assert paths == {"/p", "/c"}
    for path, body, signature in _Received():
        secret = fake.connect_webhook_secret if path == "/c" else fake.webhook_secret
        assert stripe.Webhook.construct_event(body, signature, secret).type
    assert "checkout.session.completed" in [json.loads(b)["type"] for _, b, _ in _Received()]


def _Received():  # noqa: N802
    return list(_Receiver.received)


class _RecordingClient:
    """Stands in for django.test.Client's post(): what the webhook view would receive."""

    def __init__(self):
        self.posts = []

    def post(self, path, data, content_type, **extra):
        self.posts.append((path, data, extra["HTTP_STRIPE_SIGNATURE"]))
        return 200


def test_deliver_to_client_posts_each_event_to_its_endpoint_path(fake, client, account):
    paid_charge(fake, client)
    recorder = _RecordingClient()
    responses = fake.deliver_to_client(recorder, duplicate=True, shuffle=3)
    paths = [path for path, _, _ in recorder.posts]
    assert len(responses) == len(paths) == 2 * 5  # account.updated + four payment events, each twice
    assert paths.count("/webhooks/stripe/connect/") == 2
    for path, body, signature in recorder.posts:
        secret = fake.connect_webhook_secret if path.endswith("connect/") else fake.webhook_secret
        stripe.Webhook.construct_event(body, signature, secret)


def test_while_a_secret_rotates_each_delivery_carries_a_signature_for_both(fake, client):
    client.v1.customers.create({})
    paid_charge(fake, client)
    [delivery, *_] = fake.signed_deliveries(secret=["whsec_new", "whsec_old"])
    assert delivery.signature.count("v1=") == 2
    for secret in ("whsec_new", "whsec_old"):
        stripe.Webhook.construct_event(delivery.payload, delivery.signature, secret)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(delivery.payload, delivery.signature, fake.webhook_secret)


def test_open_sessions_expire_when_their_time_is_up(fake, client):
    session = checkout(client, expires_at=fake.now() + 1_800)
    later = checkout(client)
    assert fake.expire_due_sessions() == []
    fake.clock = lambda: later.created + 1_801
    assert [s["id"] for s in fake.expire_due_sessions()] == [session.id]
    assert client.v1.checkout.sessions.retrieve(later.id).status == "open"
    assert fake.deliver_to_url({"platform": "http://127.0.0.1:9/unreachable"}) == [0]
