"""Milestones: planning against the budget, and the work transitions."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from engagements.models import Milestone, MilestoneState, Submission, SubmissionOutcome
from engagements.services.lifecycle import engagement_pause, engagement_update
from engagements.services.milestone import (
    OverBudget,
    milestone_create,
    milestone_delete,
    milestone_move,
    milestone_request_changes,
    milestone_submit,
    milestone_update,
)
from engagements.services.transitions import ConflictError, NotAllowed, TransitionError
from engagements.tests.conftest import fund
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def make(engagement, owner, amount, **kw):
    return milestone_create(engagement=engagement, actor=owner, title=kw.pop("title", "M"),
                            acceptance_criteria="ok", amount=amount, **kw)


# --- Planning ----------------------------------------------------------------------------------
def test_within_budget_there_is_no_warning(engagement, owner):
    _, warnings = make(engagement, owner, 200000)
    assert warnings == []


def test_above_budget_within_contingency_warns(engagement, owner):
    make(engagement, owner, 200000)
    _, warnings = make(engagement, owner, 10000)
    assert len(warnings) == 1
    assert "above the budget of 2,000.00 USD" in warnings[0]


def test_above_budget_and_contingency_is_refused_unless_confirmed(engagement, owner):
    make(engagement, owner, 200000)
    with pytest.raises(OverBudget) as exc:
        make(engagement, owner, 40001)  # 240,001 > 230,000
    assert "budget plus contingency" in str(exc.value)
    assert engagement.milestones.count() == 1
    _, warnings = make(engagement, owner, 40001, confirm_over_budget=True)
    assert "budget plus contingency" in warnings[0]
    assert engagement.milestones.count() == 2


def test_a_due_date_outside_the_engagement_window_warns(engagement, owner):
    engagement_update(engagement=engagement, actor=owner, starts_on=datetime.date(2026, 3, 1),
                      target_end_on=datetime.date(2026, 3, 31))
    engagement.refresh_from_db()
    _, early = make(engagement, owner, 100, due_on=datetime.date(2026, 2, 27))
    _, late = make(engagement, owner, 100, due_on=datetime.date(2026, 4, 2))
    _, inside = make(engagement, owner, 100, due_on=datetime.date(2026, 3, 15))
    assert "before the engagement starts" in early[0]
    assert "after the engagement's target end" in late[0]
    assert inside == []


def test_the_amount_is_fixed_once_funded(active, owner):
    milestone = active.milestones.get()
    fund(milestone)
    milestone.refresh_from_db()
    with pytest.raises(ConflictError, match="before the milestone is funded"):
        milestone_update(milestone=milestone, actor=owner, title="X", acceptance_criteria="ok", amount=1)
    # Title and due date still change.
    updated, _ = milestone_update(milestone=milestone, actor=owner, title="Renamed", acceptance_criteria="ok",
                                  amount=milestone.amount, due_on=datetime.date(2030, 1, 1))
    assert updated.title == "Renamed" and updated.due_at is not None


def test_only_a_draft_milestone_can_be_removed(active, owner):
    milestone = active.milestones.get()
    fund(milestone)
    with pytest.raises(ConflictError):
        milestone_delete(milestone=milestone, actor=owner)
    draft, _ = make(active, owner, 100)
    milestone_delete(milestone=draft, actor=owner)
    assert not active.milestones.filter(pk=draft.pk).exists()


def test_milestones_can_be_reordered(engagement, owner):
    a, _ = make(engagement, owner, 100, title="A")
    b, _ = make(engagement, owner, 100, title="B")
    milestone_move(milestone=b, actor=owner, direction=-1)
    assert list(engagement.milestones.order_by("position").values_list("title", flat=True)) == ["B", "A"]


# --- Work transitions ------------------------------------------------------------------------------
def test_submitting_a_milestone_that_is_not_funded_is_refused(active, freelancer):
    milestone = active.milestones.get()
    with pytest.raises(TransitionError, match="“Draft” cannot become “Submitted”"):
        milestone_submit(milestone_id=milestone.pk, freelancer=freelancer, message="Done",
                         attest_own_work=True)
    assert not Submission.objects.exists()


def test_without_subcontracting_the_freelancer_must_attest(active, freelancer):
    milestone = active.milestones.get()
    fund(milestone)
    with pytest.raises(ValidationError) as exc:
        milestone_submit(milestone_id=milestone.pk, freelancer=freelancer, message="Done")
    assert "attest_own_work" in exc.value.error_dict
    milestone.refresh_from_db()
    assert milestone.state == MilestoneState.FUNDED


def test_with_subcontracting_allowed_no_attestation_is_needed(active, owner, freelancer):
    engagement_update(engagement=active, actor=owner, subcontracting_allowed=True)
    milestone = active.milestones.get()
    fund(milestone)
    submission = milestone_submit(milestone_id=milestone.pk, freelancer=freelancer, message="Done")
    assert submission.attested_own_work is False


def test_each_round_is_kept_with_its_feedback(active, owner, freelancer, media):
    milestone = active.milestones.get()
    fund(milestone)
    pdf = SimpleUploadedFile("mockups.pdf", b"%PDF-1.4 mock", content_type="application/pdf")
    first = milestone_submit(milestone_id=milestone.pk, freelancer=freelancer, message="Round one",
                             links=["https://figma.com/file/1"], files=[pdf], attest_own_work=True)
    assert Notification.objects.get(kind="milestone_submitted").recipient_email == owner.email
    milestone_request_changes(milestone=milestone, actor=owner, feedback="Bigger buttons")
    milestone.refresh_from_db()
    assert milestone.state == MilestoneState.CHANGES_REQUESTED
    second = milestone_submit(milestone_id=milestone.pk, freelancer=freelancer, message="Round two",
                              attest_own_work=True)
    milestone.refresh_from_db()
    assert milestone.state == MilestoneState.SUBMITTED
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.round, first.outcome, first.feedback) == (1, SubmissionOutcome.CHANGES_REQUESTED, "Bigger buttons")
    assert (second.round, second.outcome, second.feedback) == (2, SubmissionOutcome.PENDING, "")
    stored = first.files.get()
    assert stored.original_name == "mockups.pdf" and stored.content_type == "application/pdf"
    assert "mockups" not in stored.file.name  # stored under a generated name
    assert Notification.objects.filter(kind="milestone_changes_requested").exists()


def test_asking_for_changes_clears_the_review_deadline(active, owner, freelancer):
    """Work sent back is no longer waiting for review: no auto-release date stays on it."""
    milestone = active.milestones.get()
    fund(milestone)
    milestone_submit(milestone_id=milestone.pk, freelancer=freelancer, message="Done", attest_own_work=True)
    # What payments' review clock writes on submitted work (its auto-release moment).
    Milestone.objects.filter(pk=milestone.pk).update(review_deadline_at=timezone.now() + datetime.timedelta(days=14))
    milestone_request_changes(milestone=milestone, actor=owner, feedback="Bigger buttons")
    milestone.refresh_from_db()
    assert milestone.state == MilestoneState.CHANGES_REQUESTED
    assert milestone.review_deadline_at is None


def test_a_file_whose_content_does_not_match_its_name_is_refused(active, freelancer, media):
    milestone = active.milestones.get()
    fund(milestone)
    fake = SimpleUploadedFile("photo.png", b"MZ\x90\x00 not a png", content_type="image/png")
    with pytest.raises(ValidationError):
        milestone_submit(milestone_id=milestone.pk, freelancer=freelancer, message="x", files=[fake],
                         attest_own_work=True)
    milestone.refresh_from_db()
    assert milestone.state == MilestoneState.FUNDED


def test_links_must_be_web_addresses(active, freelancer):
    milestone = active.milestones.get()
    fund(milestone)
    with pytest.raises(ValidationError):
        milestone_submit(milestone_id=milestone.pk, freelancer=freelancer, message="x",
                         links=["javascript:alert(1)"], attest_own_work=True)


def test_someone_elses_milestone_cannot_be_submitted(active, other_freelancer):
    milestone = active.milestones.get()
    fund(milestone)
    with pytest.raises(NotAllowed):
        milestone_submit(milestone_id=milestone.pk, freelancer=other_freelancer, message="x",
                         attest_own_work=True)


def test_work_is_submitted_only_while_active(active, owner, freelancer):
    milestone = active.milestones.get()
    fund(milestone)
    engagement_pause(engagement=active, actor=owner)
    with pytest.raises(ConflictError, match="while the engagement is active"):
        milestone_submit(milestone_id=milestone.pk, freelancer=freelancer, message="x", attest_own_work=True)


def test_changes_need_feedback_and_a_submission(active, owner):
    milestone = active.milestones.get()
    fund(milestone)
    with pytest.raises(ValidationError):
        milestone_request_changes(milestone=milestone, actor=owner, feedback=" ")
    with pytest.raises(TransitionError):
        milestone_request_changes(milestone=milestone, actor=owner, feedback="More")


def test_a_due_date_decades_away_is_refused(engagement, owner):
    engagement.freelancer.timezone = "America/New_York"  # end of 9999-12-31 there is past year 9999 in UTC
    engagement.freelancer.save()
    with pytest.raises(ValidationError) as exc:
        make(engagement, owner, 100, due_on=datetime.date(9999, 12, 31))
    assert "due_on" in exc.value.error_dict
