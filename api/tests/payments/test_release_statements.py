"""What one release through the API costs the database, counted as production runs it
(autocommit between requests, so the Idempotency-Key marker commits on its own): the
statements are the guarantees and nothing else."""

import pytest

from engagements.models import MilestoneState
from payments.models import Transaction

from ...models import IdempotencyKey
from .conftest import post

pytestmark = pytest.mark.django_db(transaction=True)

# token with its membership check (1), the Idempotency-Key marker (1), BEGIN, the milestone in
# the token's scope (1), SAVEPOINT, the conditional UPDATE that locks the milestone and returns
# the row it moved with its workspace's active webhook endpoints (1), escrow and payable accounts
# with the escrow held for the milestone (1), the transaction with its entries (1: one INSERT in
# a WITH), the engagement's ledger totals and the audit event (2), the email's outbox row (1:
# INSERT … ON CONFLICT DO NOTHING, no savepoint), the timeline line (1), RELEASE SAVEPOINT, the
# stored answer (1), COMMIT. (22 before: the milestone read again after its UPDATE, the escrow
# summed before the accounts were read and again for the answer, the email's insert in a
# savepoint of its own; 17 with the transaction and its entries inserted apart and the webhook
# endpoints read by a SELECT of their own.)
RELEASE_STATEMENTS = 15


def test_a_release_through_the_api_takes_a_fixed_number_of_statements(
        owner_api, submitted, make_milestone, owner, django_assert_num_queries, settings):
    from payments.tests.conftest import fund, submit

    settings.SESSION_IDLE_TIMEOUT = 2 * 60 * 60  # as in production: sessions have an idle clock

    first = submit(fund(make_milestone(amount=10_000), owner).milestone)
    assert post(owner_api, f"/milestones/{first.pk}/release/", key="first").status_code == 200  # opens the payable

    with django_assert_num_queries(RELEASE_STATEMENTS):
        response = post(owner_api, f"/milestones/{submitted.pk}/release/", key="measured")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["milestone"]["state"] == MilestoneState.RELEASED and body["milestone"]["in_escrow"] == 0
    assert sorted((e["account"], e["amount"]) for e in body["transaction"]["entries"]) == [
        ("escrow", -150_000), ("payable", 150_000)]
    assert body["transaction"]["actor"] == owner.email
    released = Transaction.objects.get(milestone=submitted, kind="release")
    assert body["transaction"]["id"] == released.pk
    # What the release answered from memory is what a replay reads back from the database.
    IdempotencyKey.objects.filter(key="measured").delete()
    again = post(owner_api, f"/milestones/{submitted.pk}/release/", key="measured")
    assert again.status_code == 200 and again.json() == body
    assert Transaction.objects.filter(milestone=submitted, kind="release").count() == 1
