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
