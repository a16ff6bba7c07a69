"""The talent pool's kinds of "needs attention": a reference that answered while the freelancer
waits for a decision, an invitation about to expire unaccepted. Each appears when its condition
holds and goes once handled."""

from datetime import timedelta

from django.utils import timezone

from accounts import services as account_services
from accounts.models import InvitationRole
from freelancers.models import FreelancerStatus
from freelancers.services import reference as references
from freelancers.services.reference import Answers
from freelancers.services.vetting import freelancer_decide
from freelancers.tests.conftest import request_reference
from notifications.services import invitation_send
from payments.selectors.attention import owner_attention


def items(workspace, user):
    return {i.key: i for i in owner_attention(workspace, user=user, now=timezone.now())}


def test_an_answered_reference_waits_for_a_decision(reference, freelancer, workspace, owner):
    key = f"reference_answered:{reference.pk}"
    references.reference_answer(token=request_reference(reference, owner), answers=Answers(5, 4, 5, 4, True))
    item = items(workspace, owner)[key]
    assert item.title == "Rita Referee answered the reference for Frida Lance 1 minute ago; a decision is waiting."
    assert item.url == f"/freelancers/{freelancer.pk}/scorecard/"

    freelancer_decide(freelancer=freelancer, actor=owner, decision="rejected", reason="Not the right fit.")

    freelancer.refresh_from_db()
    assert freelancer.status == FreelancerStatus.REJECTED
    assert key not in items(workspace, owner)


def test_an_invitation_about_to_expire_needs_attention_until_revoked(workspace, owner, time_machine):
    invitation = invitation_send(workspace=workspace, email="new@example.com", role=InvitationRole.MANAGER,
                                 invited_by=owner, accept_url_name="invitation_open", kind="teammate_invitation")
    key = f"invitation_expiring:{invitation.pk}"
    assert key not in items(workspace, owner)
    time_machine.move_to(invitation.expires_at - timedelta(hours=20), tick=False)
    item = items(workspace, owner)[key]
    assert item.severity == "today"
    assert item.title == "The invitation for new@example.com expires in 20 hours and has not been accepted."
    assert item.url == "/team/"

    account_services.invitation_revoke(invitation=invitation)

    assert key not in items(workspace, owner)
