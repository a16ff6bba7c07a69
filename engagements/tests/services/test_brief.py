"""Brief versions, acknowledgement of the current one only, what changed, and Q&A."""

import pytest
from django.core.exceptions import ValidationError

from engagements.markdown import render_markdown
from engagements.models import Brief, EngagementStatus
from engagements.selectors import brief_awaiting_acknowledgement, brief_diff, current_brief
from engagements.services.brief import brief_question_answer, brief_question_ask, brief_save
from engagements.services.lifecycle import brief_acknowledge, engagement_offer
from engagements.services.milestone import milestone_create
from engagements.services.transitions import ConflictError, NotAllowed
from engagements.tests.conftest import BRIEF
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_a_brief_not_yet_sent_is_edited_in_place(engagement, owner):
    first, created = brief_save(engagement=engagement, actor=owner, **BRIEF)
    assert created and first.version == 1
    again, created = brief_save(engagement=engagement, actor=owner, **{**BRIEF, "goal": "Faster."})
    assert not created
    assert again.pk == first.pk and again.version == 1
    assert Brief.objects.get(pk=first.pk).goal == "Faster."


def test_saving_the_same_text_changes_nothing(active, owner):
    brief, created = brief_save(engagement=active, actor=owner, **BRIEF)
    assert not created and brief.version == 1


def test_it_requires_goal_deliverables_and_acceptance_criteria(engagement, owner):
    with pytest.raises(ValidationError) as exc:
        brief_save(engagement=engagement, actor=owner, goal="Only a goal")
    assert set(exc.value.error_dict) == {"deliverables", "acceptance_criteria"}


def test_a_change_order_is_a_new_version_that_needs_a_new_acknowledgement(active, owner, freelancer):
    with pytest.raises(ValidationError) as exc:
        brief_save(engagement=active, actor=owner, **{**BRIEF, "goal": "Also a wishlist."})
    assert "change_summary" in exc.value.error_dict
    v2, created = brief_save(engagement=active, actor=owner, change_summary="Added the wishlist",
                             **{**BRIEF, "goal": "Also a wishlist."})
    assert created and v2.version == 2
    assert v2.sent_at is not None and v2.acknowledged_at is None
    assert brief_awaiting_acknowledgement(active) == v2
    email = Notification.objects.get(kind="brief_changed")
    assert email.recipient_email == freelancer.email
    assert email.context["change_summary"] == "Added the wishlist"
    # The engagement keeps running while the change order waits.
    active.refresh_from_db()
    assert active.status == EngagementStatus.ACTIVE
    brief_acknowledge(brief_id=v2.pk, freelancer=freelancer)
    assert brief_awaiting_acknowledgement(active) is None


def test_acknowledging_an_old_version_is_refused(active, owner, freelancer):
    v1 = current_brief(active)
    brief_save(engagement=active, actor=owner, change_summary="More pages", **{**BRIEF, "deliverables": "More"})
    with pytest.raises(ConflictError, match="Version 1 of the brief is out of date: read and acknowledge version 2"):
        brief_acknowledge(brief_id=v1.pk, freelancer=freelancer)


def test_an_offer_acknowledged_on_an_old_version_does_not_start_work(engagement, owner, freelancer):
    brief_save(engagement=engagement, actor=owner, **BRIEF)
    milestone_create(engagement=engagement, actor=owner, title="A", acceptance_criteria="ok", amount=100)
    engagement_offer(engagement=engagement, actor=owner)
    v1 = current_brief(engagement)
    brief_save(engagement=engagement, actor=owner, change_summary="Clarified", **{**BRIEF, "goal": "Clearer"})
    with pytest.raises(ConflictError):
        brief_acknowledge(brief_id=v1.pk, freelancer=freelancer)
    engagement.refresh_from_db()
    assert engagement.status == EngagementStatus.OFFERED
    brief_acknowledge(brief_id=current_brief(engagement).pk, freelancer=freelancer)
    engagement.refresh_from_db()
    assert engagement.status == EngagementStatus.ACTIVE


def test_acknowledging_twice_is_harmless(active, freelancer):
    brief = current_brief(active)
    first = brief.acknowledged_at
    again = brief_acknowledge(brief_id=brief.pk, freelancer=freelancer)
    assert again.acknowledged_at == first


def test_only_the_engagements_freelancer_can_acknowledge(engagement, owner, other_freelancer):
    brief_save(engagement=engagement, actor=owner, **BRIEF)
    milestone_create(engagement=engagement, actor=owner, title="A", acceptance_criteria="ok", amount=100)
    engagement_offer(engagement=engagement, actor=owner)
    with pytest.raises(NotAllowed):
        brief_acknowledge(brief_id=current_brief(engagement).pk, freelancer=other_freelancer)


def test_a_draft_brief_cannot_be_acknowledged(engagement, owner, freelancer):
    brief, _ = brief_save(engagement=engagement, actor=owner, **BRIEF)
    with pytest.raises(ConflictError):
        brief_acknowledge(brief_id=brief.pk, freelancer=freelancer)


def test_the_diff_marks_what_changed_and_keeps_html_as_text(active, owner):
    v1 = current_brief(active)
    v2, _ = brief_save(engagement=active, actor=owner, change_summary="x",
                       **{**BRIEF, "deliverables": "Figma file and a <script>alert(1)</script> component."})
    sections = {s["name"]: s for s in brief_diff(v1, v2)}
    assert not sections["goal"]["changed"]
    rows = sections["deliverables"]["rows"]
    deleted = [seg for row in rows if row["op"] == "delete" for seg in row["segments"] if seg[0]]
    inserted = [seg for row in rows if row["op"] == "insert" for seg in row["segments"] if seg[0]]
    assert "React" in "".join(t for _, t in deleted)
    assert "<script>" in "".join(t for _, t in inserted)


def test_the_diff_page_escapes_the_text(owner_client, active, owner):
    brief_save(engagement=active, actor=owner, change_summary="x",
               **{**BRIEF, "deliverables": "<img src=x onerror=alert(1)>"})
    body = owner_client.get(f"/engagements/{active.pk}/brief/diff/").content.decode()
    assert "<img" not in body
    assert "&lt;" in body and "img" in body and "onerror" in body


def test_markdown_is_rendered_and_sanitized():
    html = str(render_markdown("**Bold** [link](https://example.com) <script>alert(1)</script> "
                               "<a href=\"javascript:alert(1)\">x</a> <img src=x onerror=alert(1)>"))
    assert "<strong>Bold</strong>" in html
    assert 'href="https://example.com"' in html and "nofollow" in html
    assert "<script" not in html and "alert(1)</script>" not in html
    assert "javascript:" not in html
    assert "<img" not in html and "onerror" not in html


def test_questions_and_answers_reach_both_sides(active, owner, freelancer):
    brief = current_brief(active)
    question = brief_question_ask(brief_id=brief.pk, freelancer=freelancer, body="Which browsers?")
    assert Notification.objects.get(kind="brief_question").recipient_email == owner.email
    brief_question_answer(question=question, actor=owner, answer="The last two versions of each.")
    question.refresh_from_db()
    assert question.answered_by == owner and question.answered_at
    email = Notification.objects.get(kind="brief_answer")
    assert email.recipient_email == freelancer.email
    assert email.context["answer"] == "The last two versions of each."


def test_only_the_engagements_freelancer_can_ask(active, other_freelancer):
    with pytest.raises(NotAllowed):
        brief_question_ask(brief_id=current_brief(active).pk, freelancer=other_freelancer, body="?")
