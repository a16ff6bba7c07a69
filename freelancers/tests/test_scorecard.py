"""The vetting scorecard's aggregation, trial jobs read through the reverse relation, the
decision with its confirmation, and the bench's last review."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from engagements.models import Review
from freelancers import interviews, references, vetting
from freelancers.errors import TransitionError
from freelancers.models import Decision, EventKind, FreelancerStatus, Interview, Reference, ReferenceStatus
from freelancers.tests.factories import FreelancerFactory, ReferenceFactory


def received(freelancer, q, r, c, d, rehire=True):
    return ReferenceFactory(freelancer=freelancer, status=ReferenceStatus.RECEIVED, quality=q, reliability=r,
                            communication=c, deadlines=d, would_rehire=rehire, answered_at=timezone.now())


def scored(freelancer, owner, scores, flags=(), outcome="advance", cancelled=False):
    interview = Interview.objects.create(freelancer=freelancer, scheduled_at=timezone.now() - timedelta(days=1),
                                         interviewer=owner)
    interviews.interview_score(interview=interview, actor=owner, scores=scores, red_flags=list(flags),
                               outcome=outcome)
    if cancelled:
        Interview.objects.filter(pk=interview.pk).update(cancelled_at=timezone.now())
    return interview


@pytest.fixture
def vetted(freelancer, owner):
    freelancer.status = FreelancerStatus.VETTING
    freelancer.save()
    received(freelancer, 5, 4, 4, 3, rehire=True)
    received(freelancer, 3, 4, 5, 2, rehire=False)
    ReferenceFactory(freelancer=freelancer, status=ReferenceStatus.DECLINED)
    ReferenceFactory(freelancer=freelancer)  # draft
    scored(freelancer, owner, {"Communication": 4, "Relevant skill": 5}, flags=["timeline"])
    scored(freelancer, owner, {"Communication": 2, "Professionalism": 4}, flags=["timeline", "scope"])
    scored(freelancer, owner, {"Communication": 1}, flags=["price_moved"], cancelled=True)  # ignored
    return freelancer


def test_the_scorecard_aggregates_references_and_interviews(vetted):
    card = vetting.scorecard(vetted)
    assert card.references_received_count == 2 and len(card.references) == 4
    assert card.reference_averages == [("Quality of work", 4.0), ("Reliability", 4.0), ("Communication", 4.5),
                                       ("Meeting deadlines", 2.5)]
    assert card.reference_overall == 3.75  # (4.0 + 3.5) / 2
    assert (card.would_rehire_yes, card.would_rehire_no) == (1, 1)
    assert card.criterion_averages == [("Communication", 3.0, 2), ("Relevant skill", 5.0, 1),
                                       ("Professionalism", 4.0, 1)]
    assert card.interview_overall == 3.75  # (4 + 5 + 2 + 4) / 4
    assert [(f["key"], f["count"]) for f in card.red_flags] == [("timeline", 2), ("scope", 1)]
    assert len(card.warnings) == 1 and "2 red flags" in card.warnings[0]


def test_the_scorecard_page_puts_it_side_by_side(owner_client, vetted):
    body = owner_client.get(reverse("freelancers:scorecard", args=[vetted.pk])).content.decode()
    assert 'data-testid="refs-received">2 received<' in body
    assert 'data-testid="refs-overall">3.75<' in body
    assert 'data-testid="interview-overall">3.75<' in body
    assert "Hesitated about the timeline (2 interviews)" in body
    assert "Price moved after agreement" not in body
    assert "No trial job yet" in body


def test_fewer_than_two_references_is_a_warning(freelancer, owner_client):
    received(freelancer, 5, 5, 5, 5)
    card = vetting.scorecard(freelancer)
    assert card.warnings == ["Only 1 reference answered; at least 2 are recommended before approving."]
    body = owner_client.get(reverse("freelancers:scorecard", args=[freelancer.pk])).content.decode()
    assert "Fewer than 2 references have answered." in body


def test_approving_with_warnings_needs_confirmation(owner_client, owner, vetted):
    url = reverse("freelancers:scorecard", args=[vetted.pk])
    response = owner_client.post(url, {"decision": "approved", "reason": "Strong portfolio."})
    assert response.status_code == 200
    assert "Confirm that you want to approve" in response.context["form"].errors["confirm"][0]
    vetted.refresh_from_db()
    assert vetted.status == FreelancerStatus.VETTING and not Decision.objects.exists()

    response = owner_client.post(url, {"decision": "approved", "reason": "Strong portfolio.", "confirm": "on"})
    assert response.status_code == 302
    vetted.refresh_from_db()
    assert vetted.status == FreelancerStatus.APPROVED
    decision = Decision.objects.get()
    assert (decision.decided_by, decision.reason, decision.confirmed_warnings) == (owner, "Strong portfolio.", True)
    assert decision.references_received == 2 and decision.red_flags == ["timeline", "scope"]
    assert vetted.events.filter(kind=EventKind.DECISION, to_status="approved", actor=owner).exists()
    body = owner_client.get(url).content.decode()
    assert "Approved despite warnings" in body and "Olivia Owner" in body


def test_a_clean_scorecard_approves_without_confirmation(freelancer, owner):
    freelancer.status = FreelancerStatus.VETTING
    freelancer.save()
    received(freelancer, 5, 5, 5, 5)
    received(freelancer, 4, 4, 4, 4)
    scored(freelancer, owner, {"Communication": 5})
    decision = vetting.freelancer_decide(freelancer=freelancer, actor=owner, decision="approved", reason="All good")
    assert decision.confirmed_warnings is False
    freelancer.refresh_from_db()
    assert freelancer.status == FreelancerStatus.APPROVED


def test_rejecting_needs_a_reason_but_no_confirmation(owner_client, owner, vetted):
    url = reverse("freelancers:scorecard", args=[vetted.pk])
    response = owner_client.post(url, {"decision": "rejected", "reason": ""})
    assert response.context["form"].errors["reason"]
    owner_client.post(url, {"decision": "rejected", "reason": "Could not commit to the timeline."})
    vetted.refresh_from_db()
    assert vetted.status == FreelancerStatus.REJECTED
    assert Decision.objects.get().decision == "rejected"


def test_a_prospect_cannot_be_approved_directly(freelancer, owner):
    with pytest.raises(TransitionError, match="Move them to vetting first"):
        vetting.freelancer_decide(freelancer=freelancer, actor=owner, decision="approved", reason="x",
                                  confirmed=True)
    assert not Decision.objects.exists()


def test_a_do_not_hire_freelancer_cannot_be_approved(vetted, owner):
    vetted.do_not_hire, vetted.do_not_hire_reason = True, "Plagiarism"
    vetted.save()
    with pytest.raises(TransitionError, match="do not hire"):
        vetting.freelancer_decide(freelancer=vetted, actor=owner, decision="approved", reason="x", confirmed=True)


@pytest.mark.parametrize("status,do_not_hire,open_", [
    (FreelancerStatus.PROSPECT, False, ["rejected"]),
    (FreelancerStatus.VETTING, False, ["approved", "rejected"]),
    (FreelancerStatus.VETTING, True, ["rejected"]),
    (FreelancerStatus.APPROVED, False, ["rejected"]),
    (FreelancerStatus.REJECTED, False, []),
])
def test_the_decisions_offered_follow_the_pipeline(workspace, status, do_not_hire, open_):
    freelancer = FreelancerFactory(workspace=workspace, status=status, do_not_hire=do_not_hire,
                                   do_not_hire_reason="No-show" if do_not_hire else "")
    assert [v.value for v in vetting.open_verdicts(freelancer)] == open_


def test_the_scorecard_of_an_approved_freelancer_offers_only_to_reject(owner_client, owner, vetted):
    url = reverse("freelancers:scorecard", args=[vetted.pk])
    owner_client.post(url, {"decision": "approved", "reason": "Strong portfolio.", "confirm": "on"})
    page = owner_client.get(url)
    body = page.content.decode()
    assert list(page.context["form"].fields["decision"].choices) == [("rejected", "Reject")]
    assert "Change the decision" in body and "Before you approve" not in body
    # An approval posted again (a stale tab) is a clear field error, not a second decision.
    again = owner_client.post(url, {"decision": "approved", "reason": "Again", "confirm": "on"})
    assert again.context["form"].errors["decision"] == ["That decision is not open to this freelancer now."]
    assert Decision.objects.count() == 1


def test_a_rejected_freelancer_is_reopened_before_deciding_again(owner_client, owner, vetted):
    url = reverse("freelancers:scorecard", args=[vetted.pk])
    owner_client.post(url, {"decision": "rejected", "reason": "Missed the call."})
    body = owner_client.get(url).content.decode()
    assert "Record decision" not in body
    assert "To decide again, reopen vetting first." in body and "Reopen vetting" in body


def test_a_decision_error_brings_the_reader_back_to_the_form(owner_client, vetted):
    body = owner_client.get(reverse("freelancers:scorecard", args=[vetted.pk])).content.decode()
    assert 'action="#sc-decide"' in body and 'id="sc-decide"' in body


def test_an_unknown_decision_is_refused(vetted, owner):
    with pytest.raises(ValidationError) as exc:
        vetting.freelancer_decide(freelancer=vetted, actor=owner, decision="maybe", reason="x")
    assert "decision" in exc.value.message_dict


def test_decisions_are_kept_as_history(vetted, owner, manager):
    vetting.freelancer_decide(freelancer=vetted, actor=owner, decision="rejected", reason="Too slow")
    from freelancers.services import freelancer_move

    freelancer_move(freelancer=vetted, to_status="vetting", actor=manager, reason="They sped up")
    vetting.freelancer_decide(freelancer=vetted, actor=manager, decision="approved", reason="Better now",
                              confirmed=True)
    assert list(vetted.decisions.values_list("decision", "decided_by")) == [("approved", manager.pk),
                                                                           ("rejected", owner.pk)]


# --- Trial jobs and reviews, through the reverse relation ----------------------------------------
def engagement_for(freelancer, **kw):
    return freelancer.engagements.create(workspace=freelancer.workspace, title=kw.pop("title", "Trial logo"), **kw)


def test_trial_jobs_appear_with_their_status(owner_client, vetted):
    engagement_for(vetted, kind="trial", status="active")
    engagement_for(vetted, kind="project", status="draft", title="Big project")
    card = vetting.scorecard(vetted)
    assert [t["engagement"].title for t in card.trials] == ["Trial logo"]
    assert card.trials[0]["review"] is None
    body = owner_client.get(reverse("freelancers:scorecard", args=[vetted.pk])).content.decode()
    assert "Trial logo" in body and "Not reviewed yet" in body and "Big project" not in body


def test_a_trial_review_is_shown_on_the_scorecard(owner_client, owner, vetted):
    trial = engagement_for(vetted, kind="trial", status="completed")
    Review.objects.create(engagement=trial, went_well="Fast", do_differently="More updates", quality=5,
                          communication=4, timeliness=3, rehire=True)
    card = vetting.scorecard(vetted)
    assert card.trials[0]["review"]["average"] == 4.0 and card.trials[0]["review"]["rehire"] is True
    body = owner_client.get(reverse("freelancers:scorecard", args=[vetted.pk])).content.decode()
    assert "Would rehire" in body and "4/5" in body


def test_the_bench_leaves_out_freelancers_on_an_active_engagement(owner_client, workspace):
    busy = FreelancerFactory(workspace=workspace, status="approved", name="Busy")
    free = FreelancerFactory(workspace=workspace, status="approved", name="Free")
    engagement_for(busy, status="active")
    engagement_for(free, status="completed")
    engagement_for(free, status="cancelled")
    response = owner_client.get(reverse("freelancers:bench"))
    rows = response.context["rows"]
    assert [r["freelancer"].name for r in rows] == ["Free"]
    assert rows[0]["freelancer"].completed_engagements == 1


def test_the_bench_shows_the_last_review_and_rate(owner_client, workspace):
    free = FreelancerFactory(workspace=workspace, status="approved", name="Free", rate_amount=6000)
    older = engagement_for(free, status="completed", title="Old job")
    newer = engagement_for(free, status="completed", title="New job")
    Review.objects.create(engagement=older, went_well="-", do_differently="-", quality=2, communication=2,
                          timeliness=2, rehire=False)
    Review.objects.create(engagement=newer, went_well="-", do_differently="-", quality=5, communication=5,
                          timeliness=4, rehire=True)
    older.created_at = newer.created_at - timedelta(days=30)
    older.save()
    body = owner_client.get(reverse("freelancers:bench")).content.decode()
    assert "New job" in body and "Old job" not in body
    assert "60.00 USD per hour" in body and "Would rehire" in body


def test_reference_rows_refuse_scores_outside_1_to_5_at_the_database(freelancer):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Reference.objects.create(freelancer=freelancer, name="x", email="x@example.org", relationship="x",
                                 quality=6)


def test_requested_references_are_not_counted_as_received(freelancer, owner):
    ref = ReferenceFactory(freelancer=freelancer)
    references.reference_request(reference=ref, actor=owner)
    assert vetting.scorecard(freelancer).references_received_count == 0


def test_the_profile_lists_the_freelancers_engagements(owner_client, freelancer):
    engagement = engagement_for(freelancer, title="Logo refresh", kind="trial")
    body = owner_client.get(reverse("freelancers:detail", args=[freelancer.pk])).content.decode()
    assert f'<a href="{reverse("engagements:detail", args=[engagement.pk])}">Logo refresh</a>' in body
    assert reverse("engagements:reliability", args=[freelancer.pk]) in body


def test_vetting_shows_of_a_review_the_ratings_engagements_declares(freelancer):
    trial = engagement_for(freelancer, kind="trial", status="completed")
    review = Review.objects.create(engagement=trial, went_well="-", do_differently="-", quality=5, communication=4,
                                   timeliness=3, rehire=True)
    summary = vetting.review_summary(review)
    assert summary["ratings"] == review.ratings() == [("Quality", 5), ("Communication", 4), ("Timeliness", 3)]
    assert summary["average"] == 4.0 and summary["rehire"] is True


def test_a_review_summary_follows_the_declared_interface_not_field_types():
    class Declared:  # all that vetting may read of a review
        rehire = False
        created_at = None

        def ratings(self):
            return [("Speed", 4), ("Care", 2)]

    summary = vetting.review_summary(Declared())
    assert summary["ratings"] == [("Speed", 4), ("Care", 2)]
    assert summary["average"] == 3.0 and summary["rehire"] is False
