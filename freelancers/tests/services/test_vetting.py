"""The vetting decision: who may be approved or rejected, and the record it leaves."""

import pytest
from django.core.exceptions import ValidationError

from freelancers.errors import TransitionError
from freelancers.models import Decision, FreelancerStatus
from freelancers.services import vetting
from freelancers.tests.conftest import received, scored


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


def test_an_unknown_decision_is_refused(vetted, owner):
    with pytest.raises(ValidationError) as exc:
        vetting.freelancer_decide(freelancer=vetted, actor=owner, decision="maybe", reason="x")
    assert "decision" in exc.value.message_dict


def test_decisions_are_kept_as_history(vetted, owner, manager):
    vetting.freelancer_decide(freelancer=vetted, actor=owner, decision="rejected", reason="Too slow")
    from freelancers.services.freelancer import freelancer_move

    freelancer_move(freelancer=vetted, to_status="vetting", actor=manager, reason="They sped up")
    vetting.freelancer_decide(freelancer=vetted, actor=manager, decision="approved", reason="Better now",
                              confirmed=True)
    assert list(vetted.decisions.values_list("decision", "decided_by")) == [("approved", manager.pk),
                                                                           ("rejected", owner.pk)]
