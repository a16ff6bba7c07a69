import pytest

from accounts.models import AuditEvent
from engagements.models import MilestoneState
from notifications.models import Notification
from payments import services
from payments.errors import IdempotencyConflict, InvalidInput, StateConflict
from payments.models import Entry, Transaction

from ..conftest import new_key
from ..factories import MilestoneFactory

pytestmark = pytest.mark.django_db


def test_the_same_key_and_parameters_return_the_first_result(milestone, owner):
    first = services.milestone_fund(milestone=milestone, actor=owner, idempotency_key="fund-home")
    again = services.milestone_fund(milestone=milestone, actor=owner, idempotency_key="fund-home")
    assert again.pk == first.pk
    assert again.replayed and not first.replayed
    assert Transaction.objects.count() == 1
    assert Entry.objects.count() == 2
    assert Notification.objects.filter(kind="escrow_funded").count() == 1


def test_the_same_key_with_different_parameters_is_refused(make_milestone, owner):
    a, b = make_milestone(), make_milestone()
    services.milestone_fund(milestone=a, actor=owner, idempotency_key="k")
    with pytest.raises(IdempotencyConflict, match="different request"):
        services.milestone_fund(milestone=b, actor=owner, idempotency_key="k")
    b.refresh_from_db()
    assert b.state == MilestoneState.DRAFT
    assert Transaction.objects.count() == 1


def test_a_key_used_for_another_action_is_refused(submitted, owner):
    tx = Transaction.objects.get(kind="fund")
    with pytest.raises(IdempotencyConflict):
        services.milestone_release(milestone=submitted, actor=owner, idempotency_key=tx.idempotency_key)
    submitted.refresh_from_db()
    assert submitted.state == MilestoneState.SUBMITTED


def test_a_resolve_retried_with_other_amounts_is_refused(submitted, owner):
    services.milestone_dispute(milestone=submitted, actor=owner, reason="Late", idempotency_key=new_key())
    services.milestone_resolve(milestone=submitted, actor=owner, release_amount=100_000, refund_amount=50_000,
                               idempotency_key="resolve-1")
    with pytest.raises(IdempotencyConflict):
        services.milestone_resolve(milestone=submitted, actor=owner, release_amount=150_000, refund_amount=0,
                                   idempotency_key="resolve-1")
    same = services.milestone_resolve(milestone=submitted, actor=owner, release_amount=100_000,
                                      refund_amount=50_000, idempotency_key="resolve-1")
    assert same.replayed


def test_a_key_is_not_used_up_by_a_refused_action(funded, owner):
    with pytest.raises(StateConflict):
        services.milestone_release(milestone=funded, actor=owner, idempotency_key="release-1")
    assert not Transaction.objects.filter(idempotency_key="release-1").exists()


def test_keys_are_per_workspace(make_milestone, owner, outsider):
    ours = make_milestone()
    theirs = MilestoneFactory(engagement__workspace=outsider.memberships.get().workspace)
    services.milestone_fund(milestone=ours, actor=owner, idempotency_key="same")
    services.milestone_fund(milestone=theirs, actor=outsider, idempotency_key="same")
    assert Transaction.objects.filter(idempotency_key="same").count() == 2


@pytest.mark.parametrize("key", ["", "   ", "x" * 256])
def test_a_missing_or_overlong_key_is_refused(milestone, owner, key):
    with pytest.raises(InvalidInput, match="idempotency key"):
        services.milestone_fund(milestone=milestone, actor=owner, idempotency_key=key)
    assert Transaction.objects.count() == 0


def test_a_release_retried_with_its_key_returns_the_first_and_moves_nothing(submitted, owner):
    # The release skips the key's read before it acts: the retry's state claim fails instead,
    # and the first release is found after it.
    first = services.milestone_release(milestone=submitted, actor=owner, idempotency_key="release-once")
    again = services.milestone_release(milestone=submitted, actor=owner, idempotency_key="release-once")
    assert again.pk == first.pk and again.replayed and not first.replayed
    assert Transaction.objects.filter(kind="release").count() == 1
    assert AuditEvent.objects.filter(action="money.release").count() == 1
