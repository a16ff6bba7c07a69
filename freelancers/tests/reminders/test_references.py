"""The referee's reminder ladder: twice, two days apart, each with a fresh link and once per
step however often (or however late, or concurrently) the sweep runs; expiry after 14 days."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from freelancers.errors import RefereeLinkError
from freelancers.models import ReferenceStatus
from freelancers.reminders.references import references_remind
from freelancers.selectors import reference_for_token
from freelancers.services import reference as references
from freelancers.services.reference import Answers
from freelancers.tests.conftest import request_reference, token_from
from freelancers.tests.factories import FreelancerFactory, ReferenceFactory
from notifications.models import Notification

T0 = timezone.datetime(2026, 3, 2, 9, 0, tzinfo=timezone.UTC)


def reminders():
    return list(Notification.objects.filter(kind="reference_reminder").order_by("id")
                .values_list("dedupe_key", flat=True))


def test_the_sweep_reminds_twice_two_days_apart_then_stops(reference, owner):
    with time_machine.travel(T0, tick=False):
        request_reference(reference, owner)
    with time_machine.travel(T0 + timedelta(days=2) - timedelta(minutes=1), tick=False):
        assert references_remind() == []
    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        assert references_remind() == [reference.pk]
    with time_machine.travel(T0 + timedelta(days=3), tick=False):
        assert references_remind() == []
    with time_machine.travel(T0 + timedelta(days=4), tick=False):
        assert references_remind() == [reference.pk]
    for day in (6, 8, 10, 13):
        with time_machine.travel(T0 + timedelta(days=day), tick=False):
            assert references_remind() == []
    assert reminders() == [f"reference-reminder:{reference.pk}:1", f"reference-reminder:{reference.pk}:2"]
    reference.refresh_from_db()
    assert reference.reminders_sent == 2 and reference.next_reminder_at is None


def test_a_sweep_run_twice_sends_each_reminder_once(reference, owner):
    with time_machine.travel(T0, tick=False):
        request_reference(reference, owner)
    with time_machine.travel(T0 + timedelta(days=2, hours=1), tick=False):
        references_remind()
        references_remind()
    assert reminders() == [f"reference-reminder:{reference.pk}:1"]


def test_a_late_sweep_sends_one_reminder_not_a_burst(reference, owner):
    with time_machine.travel(T0, tick=False):
        request_reference(reference, owner)
    # The beat was down for five days: one reminder now, the next two days later.
    with time_machine.travel(T0 + timedelta(days=5), tick=False):
        references_remind()
        references_remind()
    assert len(reminders()) == 1
    reference.refresh_from_db()
    assert reference.next_reminder_at == T0 + timedelta(days=7)


def test_reminder_links_work_and_the_first_link_still_works(client, reference, owner):
    with time_machine.travel(T0, tick=False):
        first = request_reference(reference, owner)
    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        references_remind()
        reminder_token = token_from(Notification.objects.get(kind="reference_reminder"))
        assert reminder_token != first
        assert reference_for_token(first) == reference
        assert reference_for_token(reminder_token) == reference
        references.reference_answer(token=reminder_token, answers=Answers(3, 3, 3, 3, True))
        with pytest.raises(RefereeLinkError) as exc:
            reference_for_token(first)
        assert exc.value.code == "used"


def test_answered_and_declined_references_get_no_reminder(freelancer, owner):
    answered, declined = ReferenceFactory(freelancer=freelancer), ReferenceFactory(freelancer=freelancer)
    with time_machine.travel(T0, tick=False):
        references.reference_answer(token=request_reference(answered, owner), answers=Answers(5, 5, 5, 5, True))
        references.reference_decline(token=request_reference(declined, owner))
    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        assert references_remind() == []
    assert reminders() == []


def test_the_sweep_expires_references_after_14_days(reference, owner):
    with time_machine.travel(T0, tick=False):
        request_reference(reference, owner)
    with time_machine.travel(T0 + timedelta(days=14), tick=False):
        from freelancers.tasks import referee_reminders

        assert referee_reminders() == {"expired": 1, "reminded": 0}
    reference.refresh_from_db()
    assert reference.status == ReferenceStatus.EXPIRED and reference.next_reminder_at is None
    # An expired reference can be requested again, with a fresh link.
    token = request_reference(reference, owner)
    assert reference_for_token(token) == reference


def _sweep_queries(workspace, owner, n):
    freelancer = FreelancerFactory(workspace=workspace)
    refs = [ReferenceFactory(freelancer=freelancer) for _ in range(n)]
    with time_machine.travel(T0, tick=False):
        for ref in refs:
            references.reference_request(reference=ref, actor=owner)
    with CaptureQueriesContext(connection) as queries:
        reminded = references_remind(now=T0 + timedelta(days=2))
    assert sorted(reminded) == sorted(r.pk for r in refs)
    return len(queries)


def test_a_sweep_costs_the_same_queries_for_5_or_50_references(workspace, owner):
    assert _sweep_queries(workspace, owner, 5) == _sweep_queries(workspace, owner, 50)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_send_each_reminder_once(workspace, owner):
    freelancer = FreelancerFactory(workspace=workspace)
    refs = [ReferenceFactory(freelancer=freelancer) for _ in range(20)]
    with time_machine.travel(T0, tick=False):
        for ref in refs:
            references.reference_request(reference=ref, actor=owner)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweep():
        try:
            barrier.wait()
            results.append(references_remind(now=T0 + timedelta(days=2)))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(results[0] + results[1]) == sorted(r.pk for r in refs)
    keys = reminders()
    assert len(keys) == len(set(keys)) == 20


def test_a_reminder_keeps_to_decent_hours_in_the_freelancers_zone(reference, owner):
    # The referee's own zone is unknown; the freelancer's (whose client or colleague they were) stands in.
    reference.freelancer.timezone = "Asia/Tokyo"
    reference.freelancer.save(update_fields=["timezone"])
    request_at = T0 + timedelta(hours=4)  # 13:00 UTC = 22:00 in Tokyo
    with time_machine.travel(request_at, tick=False):
        request_reference(reference, owner)
    with time_machine.travel(request_at + timedelta(days=2), tick=False):
        assert references_remind() == [reference.pk]

    reminder = Notification.objects.get(kind="reference_reminder")
    # Held until 08:00 the next morning in Tokyo (23:00 UTC).
    assert reminder.not_before == timezone.datetime(2026, 3, 4, 23, 0, tzinfo=timezone.UTC)
