"""The owner's side of the portal: inviting and re-inviting from a freelancer's panel or an
engagement page, and the status each invitation shows."""

import re
from datetime import timedelta
from urllib.parse import urlparse

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.models import Invitation, InvitationStatus
from engagements.models import Activity
from notifications.models import Notification

from ..conftest import open_link, start_engagement_offered

pytestmark = pytest.mark.django_db


def test_the_resend_button_sends_a_new_link_and_kills_the_old_one(
        invite, owner_client, nora, mailoutbox, django_capture_on_commit_callbacks):
    old = invite()
    invitation = Invitation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(f"/portal/owner/invitations/{invitation.pk}/resend/")
    [url] = re.findall(r"https?://\S+/portal/invite/\S+/", mailoutbox[-1].body)
    assert open_link(Client(), old).status_code == 410
    assert open_link(Client(), urlparse(url).path).status_code == 200


def test_a_freelancer_who_has_a_login_is_not_invited_again(owner_client, freelancer_a):
    response = owner_client.post(f"/portal/owner/freelancers/{freelancer_a.pk}/invite/", follow=True)
    assert "already has a portal login" in response.content.decode()
    assert not Invitation.objects.exists()


def test_inviting_from_an_engagement_page_shows_on_its_timeline(owner_client, owner, workspace, nora,
                                                                 celery_eager, mailoutbox):
    engagement = start_engagement_offered(workspace, owner, nora)
    response = owner_client.post(f"/portal/owner/freelancers/{nora.pk}/invite/",
                                 {"engagement": engagement.pk, "next": f"/engagements/{engagement.pk}/"})
    assert response["Location"] == f"/engagements/{engagement.pk}/"
    assert Activity.objects.filter(engagement=engagement, kind="portal_invited").exists()
    assert "Nora Newcomer" in Notification.objects.get(kind="portal_invitation").context["freelancer_name"]


def test_the_invitation_panel_shows_each_status(owner_client, nora, invite, freelancer_a):
    url = f"/portal/owner/freelancers/{nora.pk}/"
    assert "Not invited" in owner_client.get(url).content.decode()
    invite()
    assert "Invitation pending" in owner_client.get(url).content.decode()
    with time_machine.travel(timezone.now() + settings.INVITATION_TTL + timedelta(hours=1)):
        assert "Invitation expired" in owner_client.get(url).content.decode()
    Invitation.objects.update(status=InvitationStatus.REVOKED)
    assert "Invitation revoked" in owner_client.get(url).content.decode()
    assert "Uses the portal" in owner_client.get(f"/portal/owner/freelancers/{freelancer_a.pk}/").content.decode()
    # htmx asks for the panel alone.
    panel = owner_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in panel and "Freelancer portal" in panel
