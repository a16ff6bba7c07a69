"""Profile and pipeline actions: the service's own checks, and every status move against the
one transition table."""

import pytest
from django.core.exceptions import ValidationError

from freelancers.errors import TransitionError
from freelancers.models import STATUS_TRANSITIONS, EventKind, Freelancer, FreelancerStatus
from freelancers.services import freelancer as services
from freelancers.tests.factories import FreelancerFactory

S = FreelancerStatus


def test_the_service_refuses_duplicates_case_insensitively_and_negative_rates(workspace, freelancer):
    with pytest.raises(ValidationError) as exc:
        services.freelancer_create(workspace=workspace, name="X", email=" Frida@EXAMPLE.net ")
    assert "email" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.freelancer_create(workspace=workspace, name="Y", email="y@example.net", rate_amount=-5)
    assert "rate_amount" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.freelancer_create(workspace=workspace, name="Z", email="z@example.net", timezone_name="Nowhere")
    assert "timezone" in exc.value.message_dict
    assert Freelancer.objects.count() == 1


ALL_MOVES = [(a, b) for a in S for b in S if a != b]


@pytest.mark.parametrize("from_status,to_status", ALL_MOVES)
def test_every_pipeline_move_follows_the_table(workspace, owner, from_status, to_status):
    freelancer = FreelancerFactory(workspace=workspace, status=from_status)
    allowed = to_status in STATUS_TRANSITIONS[from_status]
    decision = to_status in (S.APPROVED, S.REJECTED)
    if allowed and not decision:
        services.freelancer_move(freelancer=freelancer, to_status=to_status, actor=owner)
        freelancer.refresh_from_db()
        assert freelancer.status == to_status
        assert freelancer.events.filter(kind=EventKind.STATUS, from_status=from_status, to_status=to_status,
                                        actor=owner).exists()
    else:
        with pytest.raises(TransitionError):
            services.freelancer_move(freelancer=freelancer, to_status=to_status, actor=owner)
        freelancer.refresh_from_db()
        assert freelancer.status == from_status


def test_a_stale_copy_cannot_move_a_row_that_moved_meanwhile(workspace, owner):
    freelancer = FreelancerFactory(workspace=workspace, status=S.PROSPECT)
    stale = Freelancer.objects.get(pk=freelancer.pk)
    services.freelancer_move(freelancer=freelancer, to_status=S.VETTING, actor=owner)
    with pytest.raises(TransitionError, match="already vetting"):
        services.freelancer_move(freelancer=stale, to_status=S.VETTING, actor=owner)


def test_an_unknown_status_is_a_clear_error(freelancer, owner):
    with pytest.raises(TransitionError, match="not a pipeline status"):
        services.freelancer_move(freelancer=freelancer, to_status="hired", actor=owner)
