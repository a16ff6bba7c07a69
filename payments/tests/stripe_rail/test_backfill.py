"""The backfill of missed events: Stripe's `events.list`, the platform's and each connected
account's (with its `Stripe-Account`), stored through the same path as a delivery (unique by
id) and acted on once."""

import pytest

from payments.models import PayoutAccount, ProviderEvent
from payments.services.provider_events import provider_events_backfill
from payments.tests.factories import FreelancerFactory

from .conftest import paid_and_released, payouts_on

pytestmark = pytest.mark.django_db


def test_connected_accounts_events_that_never_arrived_are_backfilled_once(
        client, stripe_rail, deliver, owner_api, owner, freelancer, milestone, django_capture_on_commit_callbacks):
    account = payouts_on(owner_api, freelancer, stripe_rail)
    stripe_rail.pop_events()  # the Connect endpoint was down: account.updated never reached us
    account.refresh_from_db()
    assert account.status == "pending"

    with django_capture_on_commit_callbacks(execute=True):
        assert provider_events_backfill() == 1
    account.refresh_from_db()
    assert account.status == "ready"
    stored = ProviderEvent.objects.get(type="account.updated")
    assert stored.account == account.provider_account_id and stored.processed_at is not None

    # Paid, released, transferred; the bank payout's event is lost too.
    paid_and_released(owner_api, owner, milestone, stripe_rail, deliver, django_capture_on_commit_callbacks)
    stripe_rail.make_available(account.provider_account_id)
    stripe_rail.run_payouts(account.provider_account_id)
    stripe_rail.pop_events()
    with django_capture_on_commit_callbacks(execute=True):
        new = provider_events_backfill()
    # payout.paid from the connected account (its payout.created is not one the app asks for),
    # and the platform's own events of the transfer that were not delivered either.
    assert ProviderEvent.objects.filter(type="payout.paid", account=account.provider_account_id).count() == 1
    assert not ProviderEvent.objects.filter(type="payout.created").exists()
    account.refresh_from_db()
    assert (account.last_payout_status, account.last_payout_amount) == ("paid", 150_000)
    assert new >= 1

    # Run again (or the deliveries arrive late): nothing is stored or done twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert provider_events_backfill() == 0
    late = stripe_rail.objects_of("event", account.provider_account_id)
    assert all(r.status_code == 200 for r in stripe_rail.deliver_to_client(client, events=late))
    assert ProviderEvent.objects.filter(type="payout.paid").count() == 1


def test_an_account_stripe_will_not_read_for_us_does_not_stop_the_backfill_of_the_others(
        stripe_rail, owner_api, freelancer, workspace, django_capture_on_commit_callbacks):
    # An account first in line that Stripe no longer lets the platform read (access revoked).
    gone = FreelancerFactory(workspace=workspace)
    PayoutAccount.objects.create(workspace=workspace, freelancer=gone, provider_account_id="acct_revoked0000000")
    account = payouts_on(owner_api, freelancer, stripe_rail)
    stripe_rail.pop_events()  # account.updated never reached us

    with django_capture_on_commit_callbacks(execute=True):
        assert provider_events_backfill() == 1
    account.refresh_from_db()
    assert account.status == "ready"
