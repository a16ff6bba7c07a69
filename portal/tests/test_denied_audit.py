"""A page refused to someone signed in is a line of the audit log (issue 15): who, when, what
(the page and the id asked for) and from which address, in the workspace concerned. The access
matrix checks a line is written for each refusal of its walk; this shows one line whole, as the
owner reads it."""

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import AuditEvent

from .conftest import client_for, start_engagement

pytestmark = pytest.mark.django_db


def test_a_freelancer_asking_for_anothers_engagement_is_recorded_whole(workspace, owner, freelancer_a,
                                                                       freelancer_b, owner_client):
    theirs = start_engagement(workspace, owner, freelancer_a, title="Ana's work", milestones=["One"])
    before = timezone.now()
    response = client_for(freelancer_b.user).get(f"/portal/engagements/{theirs.pk}/",
                                                 REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert response.status_code == 404

    event = AuditEvent.objects.get(action="access_denied")
    assert (event.workspace_id, event.actor_id, event.actor_email) == (workspace.pk, freelancer_b.user.pk,
                                                                       freelancer_b.user.email)
    assert (event.object_type, event.object_id) == ("portal:engagement", str(theirs.pk))
    assert event.detail == f"404 for GET /portal/engagements/{theirs.pk}/"
    assert event.ip == "203.0.113.9"  # the address that connected, not the one it claimed
    assert before <= event.at <= timezone.now()
    page = owner_client.get("/accounts/workspace/audit-log/", {"action": "access_denied"}).content.decode()
    assert freelancer_b.user.email in page and "203.0.113.9" in page


def test_a_freelancer_opening_an_owner_page_is_recorded_where_they_freelance(workspace, owner, freelancer_a):
    engagement = start_engagement(workspace, owner, freelancer_a, title="Ana's work", milestones=["One"])
    response = client_for(freelancer_a.user).get(f"/engagements/{engagement.pk}/")
    assert response.status_code == 404
    event = AuditEvent.objects.get(action="access_denied")
    assert (event.workspace_id, event.actor_id, event.object_id) == (workspace.pk, freelancer_a.user.pk,
                                                                     str(engagement.pk))


def test_anonymous_visitors_and_pages_that_do_not_exist_write_nothing(owner_client):
    assert Client().get("/engagements/1/").status_code == 302
    owner_client.get("/no-such-page/")
    assert list(AuditEvent.objects.filter(action="access_denied").values_list("detail", "object_type")) == []


def test_a_token_in_a_refused_address_is_never_written(owner_client, workspace):
    token = "calendar-token-that-must-not-be-kept-0123456789"
    response = owner_client.get(f"/engagements/calendar/{token}.ics")
    assert response.status_code == 404
    events = list(AuditEvent.objects.filter(action="access_denied").values_list("object_id", "detail"))
    assert events == [("", "404 for GET /engagements/calendar/<str:token>.ics")]
