"""The reliability record's figures, derived from the freelancer's engagements."""

import datetime as dt
from datetime import UTC

import pytest
import time_machine

from engagements.selectors import current_brief, reliability_record
from engagements.services.brief import brief_question_ask, brief_save
from engagements.services.lifecycle import brief_acknowledge, engagement_complete, engagement_offer
from engagements.services.milestone import milestone_create, milestone_request_changes, milestone_submit
from engagements.services.reporting import status_update_post
from engagements.services.review import review_save
from engagements.tests.conftest import BRIEF, activate, fund

pytestmark = pytest.mark.django_db


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


def update(engagement):
    return status_update_post(engagement_id=engagement.pk, freelancer=engagement.freelancer,
                              done="d", next="n", percent_complete=50)


def test_an_unknown_freelancer_has_no_figures(freelancer):
    record = reliability_record(freelancer)
    assert not record.has_data
    assert record.on_time_update_rate is None
    assert record.on_time_milestone_rate is None
    assert record.average_revision_rounds is None
    assert record.average_response_time is None


def test_the_figures(engagement, owner, freelancer):
    # Offer on Monday 5 January 2026 09:00 (Lisbon = UTC in winter); the freelancer asks a question
    # 3 hours later and acknowledges at 15:00.
    with time_machine.travel(utc(2026, 1, 5, 9, 0), tick=False):
        brief_save(engagement=engagement, actor=owner, **BRIEF)
        m1, _ = milestone_create(engagement=engagement, actor=owner, title="On time", acceptance_criteria="ok",
                                 amount=100, due_on=dt.date(2026, 1, 9))
        m2, _ = milestone_create(engagement=engagement, actor=owner, title="Late", acceptance_criteria="ok",
                                 amount=100, due_on=dt.date(2026, 1, 9))
        m3, _ = milestone_create(engagement=engagement, actor=owner, title="Never handed in",
                                 acceptance_criteria="ok", amount=100, due_on=dt.date(2026, 1, 9))
        milestone_create(engagement=engagement, actor=owner, title="Not funded", acceptance_criteria="ok",
                         amount=100, due_on=dt.date(2026, 1, 2))
        engagement_offer(engagement=engagement, actor=owner)
    with time_machine.travel(utc(2026, 1, 5, 12, 0), tick=False):
        brief_question_ask(brief_id=current_brief(engagement).pk, freelancer=freelancer, body="?")
    with time_machine.travel(utc(2026, 1, 5, 15, 0), tick=False):
        brief_acknowledge(brief_id=current_brief(engagement).pk, freelancer=freelancer)
        for m in (m1, m2, m3):
            fund(m)
    # Updates: due by end of 8 Jan + 12 h. On time on the 7th; next due end of 10 Jan + 12 h: late on the 12th;
    # then on time on the 13th.
    for moment in (utc(2026, 1, 7, 10), utc(2026, 1, 12, 10), utc(2026, 1, 13, 10)):
        with time_machine.travel(moment, tick=False):
            engagement.refresh_from_db()
            update(engagement)
    # m1: on time, two change requests (three rounds). m2: first submitted after its due day.
    with time_machine.travel(utc(2026, 1, 9, 20, 0), tick=False):
        milestone_submit(milestone_id=m1.pk, freelancer=freelancer, message="v1", attest_own_work=True)
        milestone_request_changes(milestone=m1, actor=owner, feedback="again")
        milestone_submit(milestone_id=m1.pk, freelancer=freelancer, message="v2", attest_own_work=True)
        milestone_request_changes(milestone=m1, actor=owner, feedback="once more")
        milestone_submit(milestone_id=m1.pk, freelancer=freelancer, message="v3", attest_own_work=True)
    with time_machine.travel(utc(2026, 1, 10, 1, 0), tick=False):
        milestone_submit(milestone_id=m2.pk, freelancer=freelancer, message="late", attest_own_work=True)
    with time_machine.travel(utc(2026, 1, 20, 9, 0), tick=False):
        record = reliability_record(freelancer)

    assert (record.updates, record.updates_on_time) == (3, 2)
    assert record.on_time_update_rate == pytest.approx(0.667, abs=0.001)
    # m1 on time, m2 late, m3 funded and past due without submission = late; the unfunded draft is ignored.
    assert (record.milestones, record.milestones_on_time) == (3, 1)
    assert record.on_time_milestone_rate == pytest.approx(0.333, abs=0.001)
    # Two change requests over two submitted milestones.
    assert record.average_revision_rounds == 1.0
    # First response: the question, 3 hours after the offer.
    assert record.average_response_time == dt.timedelta(hours=3)
    assert record.as_dict()["average_response_hours"] == 3.0


def test_reviews_feed_the_record(engagement, owner, freelancer):
    activate(engagement, owner)
    engagement_complete(engagement=engagement, actor=owner)
    review_save(engagement=engagement, actor=owner, went_well="Fast", do_differently="Ask earlier",
                quality=5, communication=4, timeliness=3, rehire=True)
    record = reliability_record(freelancer)
    assert (record.reviews, record.rehire_yes, record.average_rating, record.completed) == (1, 1, 4.0, 1)
