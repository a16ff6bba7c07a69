"""`manage.py bench_sweeps` sets every sweep up to act and measures each: at a small size every
sweep handles exactly what was set up due, and the table goes to docs/benchmarks.md."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from engagements.models import Milestone, MilestoneState
from notifications.models import Notification
from outsourcing.bench import report, sweeps_data
from payments.models import Entry, Transaction

pytestmark = pytest.mark.django_db


def test_every_sweep_handles_what_was_set_up_due(tmp_path, monkeypatch):
    doc = tmp_path / "benchmarks.md"
    monkeypatch.setattr(report, "DOC", doc)
    out = StringIO()

    call_command("bench_sweeps", engagements=60, due=4, freelancers=3, stdout=out)

    text = out.getvalue()
    for line in ("outbox recovery:", "recovered 4;", "reminded 4,", "gone_quiet 4;", "day_before 4,",
                 "unscheduled 4;", "due_soon 4,", "briefs 4,", "warned 4;", "released 4;", "approved 4;",
                 "digests 1;"):
        assert line in text
    section = doc.read_text()
    assert "<!-- bench:sweeps -->" in section and "| auto-release |" in section
    # Released as the service does it: the ledger balances, escrow of the released work is empty.
    assert Milestone.objects.filter(state=MilestoneState.RELEASED).count() == 4
    assert sum(Entry.objects.values_list("amount", flat=True)) == 0
    assert Transaction.objects.filter(kind="release").count() == 4
    assert Notification.objects.filter(dedupe_key__startswith="status-overdue:").count() == 4


def test_it_refuses_a_database_already_swept_and_too_few_engagements_for_the_groups():
    sweeps_data.build(engagements=20, due=1, freelancers=2)
    with pytest.raises(CommandError, match="already holds the sweeps set"):
        call_command("bench_sweeps", engagements=20, due=1, no_write=True, stdout=StringIO())
    with pytest.raises(CommandError, match="need at least"):
        call_command("bench_sweeps", engagements=20, due=5, flush=True, no_write=True, stdout=StringIO())
