"""The benchmark's data set is what the app itself would have written: every state present, the
ledger balanced and agreeing with the milestones, reproducible from its seed."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from engagements.models import Engagement, EngagementStatus, Milestone, MilestoneState
from outsourcing.bench import data
from payments.models import Account, AccountKind, Entry, Transaction

SMALL = data.Sizes(workspaces=3, freelancers=30, engagements=120, milestones=600, status_updates=1000,
                   notifications=200, messages=200, transactions=900, heavy_engagements=20)


def test_a_small_set_has_every_state_and_the_sizes_asked_for(db):
    built = data.build(SMALL, seed=7)

    assert built.counts["engagements"] == 120 and built.counts["milestones"] == 600
    assert built.counts["transactions"] == 900
    assert set(Milestone.objects.values_list("state", flat=True)) == set(MilestoneState.values)
    assert {EngagementStatus.ACTIVE, EngagementStatus.COMPLETED} <= set(Engagement.objects.values_list("status",
                                                                                                        flat=True))
    heavy = Engagement.objects.filter(freelancer__user__email=data.HEAVY_FREELANCER_EMAIL).count()
    assert heavy == 20


def test_the_ledger_balances_and_escrow_holds_exactly_the_funded_work(db):
    data.build(SMALL, seed=7)

    unbalanced = Transaction.objects.annotate(total=Sum("entries__amount")).exclude(total=None).exclude(total=0)
    assert not unbalanced.exists()
    for account in Account.objects.filter(kind=AccountKind.ESCROW):
        held = Milestone.objects.filter(engagement_id=account.engagement_id, state__in=[
            MilestoneState.FUNDED, MilestoneState.SUBMITTED, MilestoneState.CHANGES_REQUESTED,
            MilestoneState.DISPUTED]).aggregate(s=Sum("amount"))["s"] or 0
        assert (Entry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"] or 0) == held
    for account in Account.objects.filter(kind=AccountKind.PAYABLE):
        assert (Entry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"] or 0) >= 0


def test_the_same_seed_gives_the_same_set(db):
    from django.db import transaction

    bench = Milestone.objects.filter(engagement__workspace__slug__startswith="bench-").order_by("pk")
    runs = []
    for _ in range(2):  # each build rolled back, so the second meets the same empty database
        with transaction.atomic():
            data.build(SMALL, seed=3)
            runs.append(list(bench.values_list("state", "amount", "due_on")))
            transaction.set_rollback(True)

    assert runs[0] == runs[1] and len(runs[0]) == 600


def test_the_command_refuses_to_build_twice_without_flush(db):
    data.build(SMALL, seed=3)
    with pytest.raises(CommandError, match="--flush"):
        call_command("bench_data", "--engagements=10", stdout=io.StringIO())
