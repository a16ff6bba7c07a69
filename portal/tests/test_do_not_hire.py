"""Marking a freelancer do-not-hire closes every door they had, as ending an engagement does
for its access grants: their portal login (sessions and API tokens with it), pending portal
invitations, open offers and live access grants. The confirmation page says so first."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import Invitation, InvitationStatus
from engagements.models import AccessGrant, EngagementStatus
from engagements.services import access as grants
from engagements.services import brief as briefs
from engagements.services import lifecycle
from engagements.services import milestone as work
from portal.models import PortalAccess

from .conftest import client_for, start_engagement
from .test_api_matrix import token_client


def _offered(workspace, owner, freelancer):
    engagement = lifecycle.engagement_create(workspace=workspace, created_by=owner, freelancer=freelancer,
                                             title="Second job", budget=100_000, pay_terms="fixed")
    briefs.brief_save(engagement=engagement, actor=owner, goal="Goal", deliverables="D", acceptance_criteria="A")
    work.milestone_create(engagement=engagement, actor=owner, title="Part", acceptance_criteria="A", amount=100_000)
    return lifecycle.engagement_offer(engagement=engagement, actor=owner)


def _a_with_everything(workspace, owner, freelancer_a):
    active = start_engagement(workspace, owner, freelancer_a, title="Checkout", milestones=["Design"])
    grant = grants.access_grant_create(engagement=active, actor=owner, label="CMS", url="https://cms.example.com",
                                       username="ana", secret="hunter2")
    offered = _offered(workspace, owner, freelancer_a)
    return active, grant, offered


def test_the_confirmation_page_says_what_will_be_revoked(owner_client, workspace, owner, freelancer_a):
    _a_with_everything(workspace, owner, freelancer_a)

    page = owner_client.get(f"/freelancers/{freelancer_a.pk}/do-not-hire/").content.decode()

    assert "portal access" in page and "ana@example.net" in page
    assert "1 open offer" in page
    assert "1 access grant" in page


def test_marking_do_not_hire_revokes_the_portal_login_offers_and_grants(
        owner_client, workspace, owner, freelancer_a, user_a):
    active, grant, offered = _a_with_everything(workspace, owner, freelancer_a)
    portal = client_for(user_a)
    api = token_client(user_a, workspace, "freelancer", freelancer_a)
    assert portal.get("/portal/").status_code == 200
    assert api.get("/api/v1/me/").status_code == 200

    response = owner_client.post(f"/freelancers/{freelancer_a.pk}/do-not-hire/",
                                 {"action": "mark", "reason": "Plagiarised the sample"}, follow=True)

    page = response.content.decode()
    assert "is marked do not hire" in page
    assert "Revoked their portal access" in page
    assert "Withdrew 1 open offer" in page
    assert "Revoked 1 access grant" in page
    freelancer_a.refresh_from_db()
    assert freelancer_a.do_not_hire and freelancer_a.user is None
    assert PortalAccess.objects.get(freelancer=freelancer_a).revoked_at is not None
    assert portal.get("/portal/").status_code in (302, 404)
    assert api.get("/api/v1/me/").status_code == 401
    assert AccessGrant.objects.get(pk=grant.pk).revoked_at is not None
    offered.refresh_from_db()
    assert offered.status == EngagementStatus.DRAFT
    active.refresh_from_db()
    assert active.status == EngagementStatus.ACTIVE  # the work itself is the owner's call


def test_it_withdraws_a_pending_portal_invitation(owner_client, pending_invitation):
    freelancer, _ = pending_invitation

    owner_client.post(f"/freelancers/{freelancer.pk}/do-not-hire/", {"action": "mark", "reason": "No-show"})

    assert Invitation.objects.get(target_id=freelancer.pk).status == InvitationStatus.REVOKED


def test_the_api_does_the_same(workspace, owner, freelancer_a, user_a):
    _, grant, _ = _a_with_everything(workspace, owner, freelancer_a)
    owner_api = token_client(owner, workspace, "owner")

    response = owner_api.patch(f"/api/v1/freelancers/{freelancer_a.pk}/",
                               {"do_not_hire": True, "do_not_hire_reason": "No-show"}, format="json")

    assert response.status_code == 200
    freelancer_a.refresh_from_db()
    assert freelancer_a.user is None
    assert AccessGrant.objects.get(pk=grant.pk).revoked_at is not None


def test_clearing_do_not_hire_gives_nothing_back(owner_client, workspace, owner, freelancer_a):
    owner_client.post(f"/freelancers/{freelancer_a.pk}/do-not-hire/", {"action": "mark", "reason": "No-show"})
    owner_client.post(f"/freelancers/{freelancer_a.pk}/do-not-hire/", {"action": "clear"})

    freelancer_a.refresh_from_db()
    assert not freelancer_a.do_not_hire and freelancer_a.user is None
    assert timezone.now() - PortalAccess.objects.get(freelancer=freelancer_a).revoked_at < timedelta(minutes=1)
