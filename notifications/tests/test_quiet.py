"""Decent hours: a reminder outside 08:00–20:00 in the recipient's time zone waits for 08:00
there — across a daylight-saving change too — and is then sent by the outbox recovery sweep."""

import datetime as dt
from datetime import UTC

import pytest
import time_machine

from notifications.models import Notification, NotificationStatus
from notifications.quiet import decent_not_before, next_local
from notifications.services import notify_many, outbox_recover
from notifications.sweeps import item


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


def test_inside_decent_hours_nothing_waits():
    assert decent_not_before(utc(2026, 6, 1, 10, 0), "Europe/Paris") is None  # 12:00 in Paris
    assert decent_not_before(utc(2026, 6, 1, 17, 59), "Europe/Paris") is None  # 19:59


def test_late_evening_waits_for_the_next_morning_and_early_morning_for_this_one():
    assert decent_not_before(utc(2026, 6, 1, 18, 0), "Europe/Paris") == utc(2026, 6, 2, 6, 0)  # 20:00 → 08:00 CEST
    assert decent_not_before(utc(2026, 6, 1, 3, 0), "Europe/Paris") == utc(2026, 6, 1, 6, 0)  # 05:00 → 08:00


def test_the_morning_after_the_clocks_go_forward_is_still_0800_local():
    # Europe/Paris springs forward on Sunday 29 March 2026 at 02:00 (UTC+1 → UTC+2).
    # 22:00 on Saturday (21:00 UTC) waits for 08:00 CEST on Sunday, which is 06:00 UTC, not 07:00.
    assert decent_not_before(utc(2026, 3, 28, 21, 0), "Europe/Paris") == utc(2026, 3, 29, 6, 0)


def test_the_morning_after_the_clocks_go_back_is_still_0800_local():
    # New York falls back on Sunday 1 November 2026 at 02:00 (EDT → EST).
    # 23:30 EDT on Saturday waits for 08:00 EST on Sunday = 13:00 UTC (the day before it was 12:00 UTC).
    assert decent_not_before(utc(2026, 11, 1, 3, 30), "America/New_York") == utc(2026, 11, 1, 13, 0)
    assert decent_not_before(utc(2026, 10, 31, 3, 30), "America/New_York") == utc(2026, 10, 31, 12, 0)


def test_an_unknown_time_zone_falls_back_to_utc_rather_than_failing():
    assert decent_not_before(utc(2026, 6, 1, 22, 0), "Mars/Olympus") == utc(2026, 6, 2, 8, 0)


def test_the_digest_hour_is_0800_local_on_both_sides_of_a_dst_change():
    assert next_local(utc(2026, 3, 28, 8, 0), dt.time(8), "Europe/Paris") == utc(2026, 3, 29, 6, 0)
    assert next_local(utc(2026, 3, 29, 6, 0), dt.time(8), "Europe/Paris") == utc(2026, 3, 30, 6, 0)
    assert next_local(utc(2026, 3, 27, 6, 0), dt.time(8), "Europe/Paris") == utc(2026, 3, 27, 7, 0)


@pytest.mark.django_db
def test_a_reminder_held_over_a_dst_night_goes_out_at_0800_local_once(celery_eager, mailoutbox,
                                                                      django_capture_on_commit_callbacks):
    evening = utc(2026, 3, 28, 21, 0)  # 22:00 in Paris, the night the clocks go forward
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify_many([item(kind="password_reset", email="night@example.com", key="held-over-dst",
                          context={"reset_url": "https://example.com/r/"}, workspace_id=None,
                          tz="Europe/Paris", now=evening)], now=evening)
    assert callbacks == []  # not enqueued at night
    notification = Notification.objects.get(dedupe_key="held-over-dst")
    assert notification.not_before == utc(2026, 3, 29, 6, 0)

    with time_machine.travel(utc(2026, 3, 29, 5, 59), tick=False):
        assert outbox_recover() == []
    assert mailoutbox == []
    with time_machine.travel(utc(2026, 3, 29, 6, 0), tick=False):
        assert outbox_recover() == [notification.pk]
    with time_machine.travel(utc(2026, 3, 29, 6, 1), tick=False):
        assert outbox_recover() == []  # sent: nothing left to hand out
    assert len(mailoutbox) == 1
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT
