"""Every engagement email renders (subject, text, HTML) with a working link and plain text that
is not HTML-escaped."""

import datetime as dt

import pytest
from django.utils import timezone

from engagements import briefs, grants, playbook, reporting, selectors, services, work
from engagements.tests.conftest import BRIEF, fund
from notifications.emails import build_message
from notifications.models import Notification

pytestmark = pytest.mark.django_db

KINDS = {"brief_offered", "brief_acknowledged", "brief_changed", "brief_question", "brief_answer",
         "milestone_submitted", "milestone_changes_requested", "status_blocker", "checkin_scheduled",
         "playbook_updated", "engagement_paused", "engagement_resumed", "engagement_ended", "access_rotate"}


def test_every_engagement_email_renders(engagement, owner, freelancer, workspace):
    engagement.title = "O'Brien & Sons \"launch\""
    engagement.save()
    briefs.brief_save(engagement=engagement, actor=owner, **BRIEF)
    work.milestone_create(engagement=engagement, actor=owner, title="Design <v1>", acceptance_criteria="ok",
                          amount=100)
    services.engagement_offer(engagement=engagement, actor=owner)
    brief = selectors.current_brief(engagement)
    question = briefs.brief_question_ask(brief_id=brief.pk, freelancer=freelancer, body="Which fonts?")
    briefs.brief_acknowledge(brief_id=brief.pk, freelancer=freelancer)
    briefs.brief_question_answer(question=question, actor=owner, answer="Inter & Lora")
    briefs.brief_save(engagement=engagement, actor=owner, change_summary="More pages", **{**BRIEF, "goal": "More"})
    milestone = engagement.milestones.get()
    fund(milestone)
    work.milestone_submit(milestone_id=milestone.pk, freelancer=freelancer, message="Here", attest_own_work=True)
    work.milestone_request_changes(milestone=milestone, actor=owner, feedback="Bigger")
    reporting.status_update_post(engagement_id=engagement.pk, freelancer=freelancer, done="a", next="b",
                                 percent_complete=10, blockers="Need the logo")
    reporting.checkin_schedule(engagement=engagement, actor=owner, agenda="Demo",
                               scheduled_at=timezone.now() + dt.timedelta(days=1))
    doc = playbook.playbook_document_create(workspace=workspace, actor=owner, title="How we work",
                                            kind="how_we_work", body="Be kind")
    playbook.playbook_attach(engagement=engagement, document=doc, actor=owner)
    grants.access_grant_create(engagement=engagement, actor=owner, label="CMS", secret="s3cret-value")
    services.engagement_pause(engagement=engagement, actor=owner)
    services.engagement_resume(engagement=engagement, actor=owner)
    from engagements.models import Milestone, MilestoneState

    Milestone.objects.filter(pk=milestone.pk).update(state=MilestoneState.RELEASED)
    services.engagement_complete(engagement=engagement, actor=owner, reason="All done")

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
