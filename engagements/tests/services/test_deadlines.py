"""Deadline columns, recomputed on every change, in the freelancer's time zone (DST-safe)."""

import datetime as dt
from datetime import UTC

import pytest
import time_machine

from engagements.models import StatusUpdate
from engagements.services.deadlines import add_local_days, end_of_day, milestone_due_at, tz_of
from engagements.services.lifecycle import engagement_pause, engagement_resume, engagement_update
from engagements.services.milestone import milestone_create
from engagements.services.reporting import checkin_cancel, checkin_record, checkin_schedule, status_update_post
from engagements.tests.conftest import activate

pytestmark = pytest.mark.django_db


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


def new_york(freelancer):
    freelancer.timezone = "America/New_York"
    freelancer.save()
    return freelancer


def post_update(engagement, **kw):
    return status_update_post(engagement_id=engagement.pk, freelancer=engagement.freelancer,
                              done="Did things", next="More things", percent_complete=kw.pop("pct", 40), **kw)


def test_end_of_day_follows_the_zone_offset_on_each_side_of_a_dst_change(freelancer):
    lisbon = tz_of(freelancer)  # Europe/Lisbon: UTC+0 in winter, UTC+1 from 29 March 2026
    assert end_of_day(dt.date(2026, 3, 28), lisbon) == utc(2026, 3, 28, 23, 59, 59)
    assert end_of_day(dt.date(2026, 3, 29), lisbon) == utc(2026, 3, 29, 22, 59, 59)
    assert milestone_due_at(dt.date(2026, 3, 29), freelancer) == utc(2026, 3, 29, 22, 59, 59)


def test_adding_days_keeps_the_local_wall_clock_time_across_dst(freelancer):
    ny = tz_of(new_york(freelancer))
    # 10:00 EST on Friday 6 March 2026; DST starts Sunday 8 March.
    assert add_local_days(utc(2026, 3, 6, 15, 0), 7, ny) == utc(2026, 3, 13, 14, 0)


@time_machine.travel(utc(2026, 3, 6, 15, 0), tick=False)
def test_activation_sets_the_first_update_deadline_in_the_freelancers_calendar(engagement, owner, freelancer):
    new_york(freelancer)
    engagement = activate(engagement, owner)  # every 3 days + 12 h grace, weekly check-ins
    # Friday 6 March (NY) + 3 days = Monday 9 March, 23:59:59 EDT = 03:59:59 UTC on the 10th; + 12 h grace.
    assert engagement.next_update_due_at == utc(2026, 3, 10, 15, 59, 59)
    # A naive 72 hours in UTC would have been an hour later.
    assert engagement.next_checkin_at == utc(2026, 3, 13, 14, 0)


def test_an_update_after_the_deadline_is_late_and_moves_the_deadline_on(engagement, owner, freelancer):
    new_york(freelancer)
    with time_machine.travel(utc(2026, 3, 6, 15, 0), tick=False):
        engagement = activate(engagement, owner)
    with time_machine.travel(utc(2026, 3, 10, 15, 59, 0), tick=False):
        on_time = post_update(engagement)
    with time_machine.travel(utc(2026, 3, 14, 16, 0), tick=False):
        engagement.refresh_from_db()
        # 10 March 11:59 EDT + 3 days → end of Friday 13 March EDT + 12 h.
        assert engagement.next_update_due_at == utc(2026, 3, 14, 15, 59, 59)
        late = post_update(engagement, blockers="Waiting for the logo files")
    assert (on_time.late, late.late) == (False, True)
    assert late.due_at == utc(2026, 3, 14, 15, 59, 59)
    engagement.refresh_from_db()
    # 14 March 12:00 EDT + 3 days → end of 17 March EDT (03:59:59 UTC on the 18th) + 12 h.
    assert engagement.next_update_due_at == utc(2026, 3, 18, 15, 59, 59)


def test_the_local_date_decides_in_a_zone_far_from_utc(engagement, owner, freelancer):
    freelancer.timezone = "Pacific/Auckland"
    freelancer.save()
    with time_machine.travel(utc(2026, 6, 1, 20, 0), tick=False):  # already 2 June, 08:00 in Auckland
        engagement = activate(engagement, owner)
    # End of 5 June NZST (UTC+12) = 11:59:59 UTC, + 12 h grace.
    assert engagement.next_update_due_at == utc(2026, 6, 5, 23, 59, 59)


def test_a_cadence_change_recomputes_the_deadlines(engagement, owner, freelancer):
    with time_machine.travel(utc(2026, 1, 5, 9, 0), tick=False):
        engagement = activate(engagement, owner)
        engagement_update(engagement=engagement, actor=owner, update_every_days=1, update_grace_hours=0,
                          checkin_every_days=14)
    engagement.refresh_from_db()
    assert engagement.next_update_due_at == utc(2026, 1, 6, 23, 59, 59)  # Lisbon is UTC+0 in January
    assert engagement.next_checkin_at == utc(2026, 1, 19, 9, 0)


def test_delivery_only_reporting_has_no_update_deadline(engagement, owner, freelancer):
    with time_machine.travel(utc(2026, 1, 5, 9, 0), tick=False):
        engagement = activate(engagement, owner)
        engagement_update(engagement=engagement, actor=owner, reporting_preference="delivery")
    engagement.refresh_from_db()
    assert engagement.next_update_due_at is None and engagement.next_checkin_at is not None
    with time_machine.travel(utc(2026, 2, 5, 9, 0), tick=False):
        update = status_update_post(engagement_id=engagement.pk, freelancer=freelancer, done="a",
                                    next="b", percent_complete=50)
        assert not update.late  # a month without updates is not late when none are asked for
        engagement_update(engagement=engagement, actor=owner, reporting_preference="progress")
    engagement.refresh_from_db()
    assert engagement.next_update_due_at == utc(2026, 2, 9, 11, 59, 59)  # end of 8 Feb + 12 h grace (Lisbon = UTC)


def test_scheduled_check_ins_drive_the_next_check_in_and_recording_moves_it_on(engagement, owner):
    with time_machine.travel(utc(2026, 1, 5, 9, 0), tick=False):
        engagement = activate(engagement, owner)
        soon = checkin_schedule(engagement=engagement, actor=owner, scheduled_at=utc(2026, 1, 7, 15, 0),
                                agenda="Kick-off")
        engagement.refresh_from_db()
        assert engagement.next_checkin_at == utc(2026, 1, 7, 15, 0)
    with time_machine.travel(utc(2026, 1, 7, 16, 0), tick=False):
        checkin_record(checkin=soon, actor=owner, happened=True, notes="Went well")
    engagement.refresh_from_db()
    assert engagement.next_checkin_at == utc(2026, 1, 14, 15, 0)


def test_cancelling_the_only_scheduled_check_in_falls_back_to_the_cadence(engagement, owner):
    with time_machine.travel(utc(2026, 1, 5, 9, 0), tick=False):
        engagement = activate(engagement, owner)
        checkin = checkin_schedule(engagement=engagement, actor=owner, scheduled_at=utc(2026, 1, 6, 9, 0))
        checkin_cancel(checkin=checkin, actor=owner)
    engagement.refresh_from_db()
    assert engagement.next_checkin_at == utc(2026, 1, 12, 9, 0)


def test_resuming_restarts_the_update_cadence_from_the_resume(engagement, owner):
    with time_machine.travel(utc(2026, 1, 5, 9, 0), tick=False):
        engagement = activate(engagement, owner)
        engagement_pause(engagement=engagement, actor=owner)
    with time_machine.travel(utc(2026, 2, 2, 9, 0), tick=False):
        engagement_resume(engagement=engagement, actor=owner)
    engagement.refresh_from_db()
    assert engagement.next_update_due_at == utc(2026, 2, 5, 23, 59, 59) + dt.timedelta(hours=12)


def test_milestone_due_moments_follow_the_freelancers_zone(engagement, owner, freelancer):
    milestone, _ = milestone_create(engagement=engagement, actor=owner, title="Summer", acceptance_criteria="ok",
                                    amount=100, due_on=dt.date(2026, 7, 1))
    assert milestone.due_at == utc(2026, 7, 1, 22, 59, 59)  # Lisbon summer time is UTC+1
    new_york(freelancer)
    engagement_update(engagement=engagement, actor=owner, title="Renamed")  # re-reads the zone on save
    # A change of freelancer (a draft) recomputes; so does activation.
    activate(engagement, owner, milestones=0)
    milestone.refresh_from_db()
    assert milestone.due_at == utc(2026, 7, 2, 3, 59, 59)


def test_an_update_on_a_paused_engagement_is_never_late(engagement, owner):
    with time_machine.travel(utc(2026, 1, 5, 9, 0), tick=False):
        engagement = activate(engagement, owner)
        engagement_pause(engagement=engagement, actor=owner)
    with time_machine.travel(utc(2026, 3, 1, 9, 0), tick=False):
        update = post_update(engagement)
    assert update.late is False
    engagement.refresh_from_db()
    assert engagement.next_update_due_at is None
    assert StatusUpdate.objects.count() == 1
