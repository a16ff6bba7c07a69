"""Revoking a freelancer's portal access ends their sessions (every device, every page, any
session backend) and their API tokens; access checks live in portal.access."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD
from api.models import ApiToken, TokenRole
from engagements.models import Activity
from portal.models import PortalAccess, PortalUser
from portal.sessions import SESSION_EPOCH

from .conftest import client_for, start_engagement

pytestmark = pytest.mark.django_db


def _signed_in(client):
    return client.get("/accounts/profile/").status_code == 200


def test_revoking_access_signs_the_freelancer_out_everywhere(owner_client, owner, workspace, freelancer_a, user_a):
    engagement = start_engagement(workspace, owner, freelancer_a, title="Logo", milestones=["One"])
    laptop, phone = Client(), Client()
    for device in (laptop, phone):
        response = device.post("/accounts/login/", {"username": user_a.email, "password": PASSWORD}, follow=True)
        assert response.redirect_chain[-1][0] == "/portal/"
    _, key = ApiToken.issue(user=user_a, workspace=workspace, role=TokenRole.FREELANCER, freelancer=freelancer_a)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").status_code == 200

    response = owner_client.post(f"/portal/owner/freelancers/{freelancer_a.pk}/revoke-access/", follow=True)
    assert "signed out everywhere" in response.content.decode()

    freelancer_a.refresh_from_db()
    assert freelancer_a.user is None
    # Any next request, on any page, finds the session ended.
    after = laptop.get("/accounts/profile/")
    assert after.status_code == 302 and after["Location"].startswith("/accounts/login/")
    assert not _signed_in(laptop)
    assert phone.get(f"/portal/engagements/{engagement.pk}/").status_code == 302
    assert not _signed_in(phone)
    assert api.get("/api/v1/me/").status_code == 401
    access = PortalAccess.objects.get(freelancer=freelancer_a)
    assert (access.revoked_by, access.revoked_email) == (owner, user_a.email)
    assert Activity.objects.filter(engagement=engagement, kind="portal_revoked").exists()
    # The owner's panel says so, and offers a new invitation.
    panel = owner_client.get(f"/portal/owner/freelancers/{freelancer_a.pk}/").content.decode()
    assert "Access revoked" in panel and "Send a new invitation" in panel


def test_signing_in_again_after_revocation_reaches_no_portal(owner_client, freelancer_a, user_a):
    owner_client.post(f"/portal/owner/freelancers/{freelancer_a.pk}/revoke-access/")
    client = Client()
    client.post("/accounts/login/", {"username": user_a.email, "password": PASSWORD})
    assert _signed_in(client)  # the login itself still works (it is theirs) ...
    assert client.get("/portal/").status_code == 404  # ... but no workspace's portal is left


def test_a_session_without_a_stamp_is_let_in_only_until_a_revocation(freelancer_a, user_a, freelancer_b):
    client = client_for(user_a)
    session = client.session
    del session[SESSION_EPOCH]
    session.save()
    assert client.get("/portal/").status_code == 200  # never revoked: stamped now
    assert SESSION_EPOCH in client.session

    session = client.session
    del session[SESSION_EPOCH]
    session.save()
    PortalUser.objects.update_or_create(user=user_a, defaults={"session_epoch": 3})
    response = client.get("/portal/")
    assert response.status_code == 302 and response["Location"].startswith("/portal/sign-in/")
    assert not _signed_in(client)


def test_revoking_one_workspace_keeps_the_other_after_signing_in_again(owner_client, freelancer_a, user_a):
    from accounts.tests.factories import WorkspaceFactory
    from freelancers.models import Freelancer

    other = Freelancer.objects.create(workspace=WorkspaceFactory(name="Zeta Works"), name="Ana", email=user_a.email,
                                      user=user_a)
    owner_client.post(f"/portal/owner/freelancers/{freelancer_a.pk}/revoke-access/")
    client = Client()
    client.post("/accounts/login/", {"username": user_a.email, "password": PASSWORD})
    page = client.get("/portal/")
    assert page.status_code == 200
    assert "Zeta Works" in page.content.decode() and "Acme Studio" not in page.content.decode()
    assert other.user == user_a


def test_an_owner_without_a_freelancer_profile_has_no_portal(owner_client):
    assert owner_client.get("/portal/").status_code == 404


def test_a_freelancer_has_no_owner_pages(client_a, workspace):
    for path in ("/freelancers/", "/engagements/", "/payments/", "/team/", "/notifications/"):
        assert client_a.get(path).status_code == 404
    # The dashboard's home sends them to their portal instead.
    assert client_a.get("/")["Location"] == "/portal/"


def test_a_draft_or_withdrawn_offer_is_not_shown(owner, workspace, freelancer_a, client_a):
    from engagements.services import brief as briefs
    from engagements.services import lifecycle as services
    from engagements.services import milestone as work

    from .conftest import BRIEF

    draft = services.engagement_create(workspace=workspace, created_by=owner, freelancer=freelancer_a,
                                       title="Still a draft", budget=1000)
    assert client_a.get(f"/portal/engagements/{draft.pk}/").status_code == 404
    briefs.brief_save(engagement=draft, actor=owner, **BRIEF)
    work.milestone_create(engagement=draft, actor=owner, title="M", acceptance_criteria="x", amount=100)
    services.engagement_offer(engagement=draft, actor=owner)
    assert client_a.get(f"/portal/engagements/{draft.pk}/").status_code == 200
    services.engagement_withdraw(engagement=draft, actor=owner)
    assert client_a.get(f"/portal/engagements/{draft.pk}/").status_code == 404
    assert "Still a draft" not in client_a.get("/portal/").content.decode()
