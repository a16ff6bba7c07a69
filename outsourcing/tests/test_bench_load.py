"""`manage.py bench_load`, short: pages, API lists and milestone actions at once against a real
gunicorn on the test database; every request answered 2xx and the ledger left as the answers say."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Sum

from engagements.models import Milestone, MilestoneState
from payments.models import Entry, Transaction

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_a_short_mixed_load_answers_every_request_and_leaves_the_ledger_balanced(
        own_redis, start_gunicorn, transactional_db, tmp_path):
    # A broker (and cache) of the test's own: the emails the run queues go nowhere else.
    server = start_gunicorn(REDIS_URL=own_redis.url, CELERY_BROKER_URL=own_redis.url)
    out = StringIO()

    try:
        call_command("bench_load", seconds=10, clients=3, readers=3, milestones=60, url=server.url,
                     no_write=True, stdout=out)
    except CommandError:
        pytest.fail(out.getvalue())

    text = out.getvalue()
    assert " 0 errors," in text and " 0 ledger discrepancies" in text, text
    # What the command says, read again here: work was done, and done once.
    released = Milestone.objects.filter(state=MilestoneState.RELEASED)
    assert released.count() >= 3, text
    per_milestone = Transaction.objects.filter(kind="release").values("milestone_id").annotate(n=Count("pk"))
    assert {row["n"] for row in per_milestone} == {1}
    assert sorted(row["milestone_id"] for row in per_milestone) == sorted(released.values_list("pk", flat=True))
    assert Entry.objects.aggregate(s=Sum("amount"))["s"] == 0
    assert "owner page " in text and "api list " in text


@pytest.mark.django_db
def test_the_ledger_check_notices_what_the_answers_do_not_account_for():
    from accounts.models import User
    from outsourcing.bench import load
    from payments import services

    cast = load.prepare(clients=1, milestones_per_client=2)
    owner = User.objects.get(memberships__workspace_id=cast.workspace_id)
    paid, unpaid = Milestone.objects.filter(pk__in=cast.drafts[0]).order_by("pk")
    services.milestone_fund(milestone=paid, actor=owner, idempotency_key="check-fund")
    services.milestone_submit_for_review(milestone_id=paid.pk, freelancer=paid.engagement.freelancer, message="Done",
                                         attest_own_work=True)
    services.milestone_release(milestone=paid, actor=owner, idempotency_key="check-release")

    assert load.audit(cast, released=[paid.pk]) == []
    assert load.audit(cast, released=[]) == [f"milestone {paid.pk} released, no client was told so"]
    assert load.audit(cast, released=[paid.pk, unpaid.pk]) == [
        f"milestone {unpaid.pk}: a client was told it was released, it is not"]
