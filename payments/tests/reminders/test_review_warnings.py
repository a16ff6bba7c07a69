"""Warnings before an automatic release: 3 days and 1 day before, once each; an extension
starts them over; the release itself is announced once (by the auto-release sweep)."""

from datetime import UTC, datetime, timedelta

import pytest

from notifications.models import Notification
from notifications.preferences import category_for
from notifications.services import notification_send
from payments import services, tasks
from payments.reminders.auto_release import auto_release_sweep
from payments.reminders.review_warnings import review_window_warnings

from ..conftest import fund, submit

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DEADLINE = T0 + timedelta(days=14)


@pytest.fixture
def submitted_at_t0(milestone, owner, workspace, time_machine):
    milestone.engagement.created_by = owner
    milestone.engagement.save()
    time_machine.move_to(T0 - timedelta(days=1), tick=False)
    fund(milestone, owner)
    time_machine.move_to(T0, tick=False)
    m = submit(milestone)
    Notification.objects.all().delete()
    return m


def warnings():
    return list(Notification.objects.filter(kind="review_closing").order_by("pk"))


def test_the_owner_is_warned_three_days_and_one_day_before_the_release_once_each(submitted_at_t0, time_machine):
    time_machine.move_to(DEADLINE - timedelta(days=3, minutes=1), tick=False)
    assert tasks.review_window_warnings() == {"warned": 0}
    time_machine.move_to(DEADLINE - timedelta(days=3), tick=False)
    assert tasks.review_window_warnings() == {"warned": 1}
    assert review_window_warnings() == {"warned": 0}
    [first] = warnings()
    assert first.recipient_email == "owner@example.com"
    assert first.context["days_left"] == 3
    assert first.context["amount"] == "1,500.00 USD"
    assert first.context["url"].endswith(f"/milestones/{submitted_at_t0.pk}/")

    time_machine.move_to(DEADLINE - timedelta(days=1, minutes=1), tick=False)
    assert review_window_warnings() == {"warned": 0}
    time_machine.move_to(DEADLINE - timedelta(days=1), tick=False)
    assert review_window_warnings() == {"warned": 1}
    assert [w.context["days_left"] for w in warnings()] == [3, 1]
    time_machine.move_to(DEADLINE - timedelta(hours=2), tick=False)
    assert review_window_warnings() == {"warned": 0}


def test_the_release_is_announced_once_to_both_sides_not_again_by_the_warnings(submitted_at_t0, time_machine):
    time_machine.move_to(DEADLINE - timedelta(days=1), tick=False)
    review_window_warnings()
    time_machine.move_to(DEADLINE + timedelta(minutes=1), tick=False)
    auto_release_sweep()
    review_window_warnings()
    released = Notification.objects.filter(kind="escrow_released")
    assert sorted(n.context["audience"] for n in released) == ["freelancer", "owner"]
    assert len(warnings()) == 1  # only the one-day warning: the sweep first saw it inside the last day


def test_an_extension_starts_the_warnings_over_for_the_new_deadline(submitted_at_t0, owner, time_machine):
    time_machine.move_to(DEADLINE - timedelta(days=3), tick=False)
    review_window_warnings()
    services.milestone_review_extend(milestone=submitted_at_t0, actor=owner, days=7, reason="Holiday")
    new_deadline = DEADLINE + timedelta(days=7)
    time_machine.move_to(DEADLINE - timedelta(days=1), tick=False)
    assert review_window_warnings() == {"warned": 0}  # the old deadline's day-before no longer applies
    time_machine.move_to(new_deadline - timedelta(days=3), tick=False)
    assert review_window_warnings() == {"warned": 1}
    assert [w.context["days_left"] for w in warnings()] == [3, 3]
    assert len({w.dedupe_key for w in warnings()}) == 2


def test_review_warnings_are_critical_they_ignore_an_off_switch_and_carry_no_unsubscribe(submitted_at_t0, workspace,
                                                                                      time_machine, mailoutbox):
    assert category_for("review_closing") is None
    time_machine.move_to(DEADLINE - timedelta(days=3), tick=False)
    review_window_warnings()
    [warning] = warnings()
    assert notification_send(notification_id=warning.pk) == "sent"
    assert "List-Unsubscribe" not in mailoutbox[0].extra_headers


def test_one_sweep_warns_every_due_milestone_once_batch_after_batch(make_milestone, owner, time_machine):
    time_machine.move_to(T0 - timedelta(days=1), tick=False)
    milestones = [make_milestone(amount=10_000, title=f"Part {n}") for n in range(5)]
    for m in milestones:
        fund(m, owner)
    # Two share a submission moment (one deadline): the batches go on by deadline, then id.
    for n, m in enumerate(milestones):
        time_machine.move_to(T0 + timedelta(minutes=n // 2), tick=False)
        submit(m)
    time_machine.move_to(DEADLINE - timedelta(days=2), tick=False)
    assert review_window_warnings(batch=2) == {"warned": 5}
    assert review_window_warnings(batch=2) == {"warned": 0}
    assert len(warnings()) == 5
    assert len({n.engagement_id for n in warnings()}) == 1 and len({n.dedupe_key for n in warnings()}) == 5
