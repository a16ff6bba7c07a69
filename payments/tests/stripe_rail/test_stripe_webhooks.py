"""Stripe's webhooks in (`/webhooks/stripe/`, `/webhooks/stripe/connect/`): only a body signed
with an active secret, within 300 s, is taken; each event is stored once by its id however often
and in whatever order it arrives, and acted on once."""

import itertools
import threading

import pytest
from django.db import connection
from django.urls import reverse

from payments.models import PayoutAccount, ProviderEvent, ProviderIntent
from payments.tests.conftest import new_key

from .conftest import checkout_of

pytestmark = pytest.mark.django_db

PLATFORM = "/webhooks/stripe/"
_ids = itertools.count(1)


def _post(client, delivery, path=PLATFORM):
    return client.post(path, data=delivery.payload, content_type="application/json",
                       HTTP_STRIPE_SIGNATURE=delivery.signature)


def _event(fake):
    """An event of a type the app does not act on, as Stripe would send it."""
    return {"id": f"evt_test_{next(_ids)}", "object": "event", "api_version": fake.api_version, "created": fake.now(),
            "livemode": False, "type": "customer.created", "pending_webhooks": 1, "request": {"id": None},
            "data": {"object": {"id": "cus_test_1", "object": "customer"}}}


def test_only_a_fresh_body_signed_with_an_active_secret_is_taken(client, stripe_rail, settings):
    event = _event(stripe_rail)
    refused = {
        "tampered": stripe_rail.sign(event, tamper=True),
        "stale": stripe_rail.sign(event, stale=True),
        "wrong secret": stripe_rail.sign(event, secret="whsec_someone_else"),
    }
    for what, delivery in refused.items():
        answer = _post(client, delivery)
        assert answer.status_code == 400 and "Stripe-Signature" in answer.json()["detail"], what
    assert client.post(PLATFORM, data=b"{}", content_type="application/json").status_code == 400  # no header
    assert not ProviderEvent.objects.exists()

    # A secret being rolled: the old and the new one both sign while both are listed.
    settings.STRIPE_WEBHOOK_SECRETS = ("whsec_new_one", stripe_rail.webhook_secret)
    assert _post(client, stripe_rail.sign(event, secret="whsec_new_one")).status_code == 200
    assert _post(client, stripe_rail.sign(event)).status_code == 200  # the old one, the same event again
    assert ProviderEvent.objects.filter(event_id=event["id"]).count() == 1
    # The Connect endpoint has its own secret: a platform-signed body is refused there.
    assert _post(client, stripe_rail.sign(event), path=PLATFORM + "connect/").status_code == 400


def test_unknown_types_and_duplicates_answer_200_and_are_stored_once(client, stripe_rail):
    event = _event(stripe_rail)
    answers = [_post(client, stripe_rail.sign(event)) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.json()["duplicate"] for a in answers] == [False, True, True]
    row = ProviderEvent.objects.get()
    assert row.type == event["type"] and row.payload["id"] == event["id"]


def test_off_the_platform_there_is_no_endpoint(client, stripe_rail, settings):
    event = _event(stripe_rail)
    settings.PAYMENTS_PROVIDER = "off_platform"
    assert _post(client, stripe_rail.sign(event)).status_code == 404
    settings.PAYMENTS_PROVIDER, settings.STRIPE_CONNECT_WEBHOOK_SECRETS = "stripe", ()
    assert _post(client, stripe_rail.sign(event), path=PLATFORM + "connect/").status_code == 404


def test_events_duplicated_and_out_of_order_fund_once(stripe_rail, deliver, owner_api, milestone):
    owner_api.post(reverse("api:milestone-fund", args=[milestone.pk]), {}, format="json",
                   HTTP_IDEMPOTENCY_KEY=new_key())
    stripe_rail.complete_checkout(checkout_of(milestone).provider_id)
    answers = deliver(duplicate=True, reverse=True)
    assert answers and all(a.status_code == 200 for a in answers)
    milestone.refresh_from_db()
    assert milestone.state == "funded"
    assert milestone.engagement.ledger_transactions.filter(kind="fund").count() == 1
    assert ProviderEvent.objects.filter(processed_at__isnull=True).count() == 0
    assert ProviderEvent.objects.count() == len(answers) // 2


def test_an_older_account_event_after_a_newer_one_cannot_undo_readiness(stripe_rail, deliver, owner_api,
                                                                        freelancer):
    owner_api.post(reverse("api:freelancer-payout-account", args=[freelancer.pk]))
    account = PayoutAccount.objects.get()
    stripe_rail.pop_events()
    stripe_rail.complete_onboarding(account.provider_account_id)
    ready_event = stripe_rail.pop_events()
    # Deliver "ready" twice, newest first: each is a hint, the account is re-read from Stripe.
    deliver(events=ready_event, duplicate=True, reverse=True)
    account.refresh_from_db()
    assert account.status == "ready" and account.payouts_enabled


@pytest.mark.django_db(transaction=True)
def test_two_copies_at_once_store_one_event(live_server, stripe_rail, settings):
    event = _event(stripe_rail)
    delivery = stripe_rail.sign(event)
    statuses = []

    def send():
        try:
            statuses.extend(stripe_rail.deliver_to_url({"platform": live_server.url + PLATFORM}, events=[event]))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200, 200] and delivery.payload
    assert ProviderEvent.objects.filter(event_id=event["id"]).count() == 1
    assert not ProviderIntent.objects.exists()
