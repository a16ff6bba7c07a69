"""Every engagement email renders (subject, text, HTML) with a working link and plain text that
is not HTML-escaped."""

import datetime as dt

import pytest
from django.utils import timezone

from engagements.emails import owner_url, owner_urls
from engagements.models import Milestone, MilestoneState
from engagements.selectors import current_brief
from engagements.services.access import access_grant_create
from engagements.services.brief import brief_question_answer, brief_question_ask, brief_save
from engagements.services.lifecycle import (
    brief_acknowledge,
    engagement_complete,
    engagement_offer,
    engagement_pause,
    engagement_resume,
)
from engagements.services.milestone import milestone_create, milestone_request_changes, milestone_submit
from engagements.services.playbook import playbook_attach, playbook_document_create
from engagements.services.reporting import checkin_schedule, status_update_post
from engagements.tests.conftest import BRIEF, fund
from notifications.emails import build_message
from notifications.models import Notification

pytestmark = pytest.mark.django_db

KINDS = {"brief_offered", "brief_acknowledged", "brief_changed", "brief_question", "brief_answer",
         "milestone_submitted", "milestone_changes_requested", "status_blocker", "checkin_scheduled",
         "playbook_updated", "engagement_paused", "engagement_resumed", "engagement_ended", "access_rotate",
         "checkin_cancelled"}


def test_every_engagement_email_renders(engagement, owner, freelancer, workspace):
    engagement.title = "O'Brien & Sons \"launch\""
    engagement.save()
    brief_save(engagement=engagement, actor=owner, **BRIEF)
    milestone_create(engagement=engagement, actor=owner, title="Design <v1>", acceptance_criteria="ok",
                     amount=100)
    engagement_offer(engagement=engagement, actor=owner)
    brief = current_brief(engagement)
    question = brief_question_ask(brief_id=brief.pk, freelancer=freelancer, body="Which fonts?")
    brief_acknowledge(brief_id=brief.pk, freelancer=freelancer)
    brief_question_answer(question=question, actor=owner, answer="Inter & Lora")
    brief_save(engagement=engagement, actor=owner, change_summary="More pages", **{**BRIEF, "goal": "More"})
    milestone = engagement.milestones.get()
    fund(milestone)
    milestone_submit(milestone_id=milestone.pk, freelancer=freelancer, message="Here", attest_own_work=True)
    milestone_request_changes(milestone=milestone, actor=owner, feedback="Bigger")
    status_update_post(engagement_id=engagement.pk, freelancer=freelancer, done="a", next="b",
                       percent_complete=10, blockers="Need the logo")
    checkin_schedule(engagement=engagement, actor=owner, agenda="Demo",
                     scheduled_at=timezone.now() + dt.timedelta(days=1))
    doc = playbook_document_create(workspace=workspace, actor=owner, title="How we work",
                                   kind="how_we_work", body="Be kind")
    playbook_attach(engagement=engagement, document=doc, actor=owner)
    access_grant_create(engagement=engagement, actor=owner, label="CMS", secret="s3cret-value")
    engagement_pause(engagement=engagement, actor=owner)
    engagement_resume(engagement=engagement, actor=owner)
    Milestone.objects.filter(pk=milestone.pk).update(state=MilestoneState.RELEASED)
    engagement_complete(engagement=engagement, actor=owner, reason="All done")

    notifications = list(Notification.objects.filter(engagement_id=engagement.pk))
    assert {n.kind for n in notifications} >= KINDS
    for notification in notifications:
        message = build_message(notification)
        html = message.alternatives[0][0]
        assert message.subject.strip(), notification.kind
        assert "O'Brien & Sons" in message.subject + message.body, notification.kind
        for escaped in ("&amp;", "&#x27;", "&quot;", "&lt;"):
            assert escaped not in message.body, (notification.kind, escaped)
            assert escaped not in message.subject, (notification.kind, escaped)
        assert "http" in message.body, notification.kind
        assert "<html" in html, notification.kind
        assert "s3cret-value" not in message.body + html


def test_a_batch_writes_each_rows_ids_into_the_page_it_links_to():
    checkin, checkins = owner_urls("checkin"), owner_urls("checkins")
    for pk, checkin_pk in ((7, 12), (12, 7), (900, 900)):
        assert checkin(pk=pk, checkin_pk=checkin_pk) == owner_url("checkin", pk=pk, checkin_pk=checkin_pk)
        assert checkins(pk=pk) == owner_url("checkins", pk=pk)
