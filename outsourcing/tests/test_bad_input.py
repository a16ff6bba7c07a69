"""Bad input is refused with a clear answer (issue 15). Where the proof already lives:

- Markdown cannot inject script: engagements/tests/services/test_brief.py and
  engagements/tests/services/test_conversation.py (bleach allow-list; `javascript:` links dropped);
- uploads too large, disguised or with path tricks in the name: freelancers/tests/test_uploads.py;
- CSV exports formula-safe: accounts/tests/test_csv_export.py, portal/tests/test_csv_exports.py;
- every form's text fields are bounded: portal/tests/test_input_limits.py;
- JSON nested too deep: api/tests/test_deep_json.py.

Here: `next=` never leaves the site, names cannot add email headers, an oversized or malformed
request body gets a 4xx that says what is wrong.
"""

import json

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD
from api.models import ApiToken, TokenRole
from freelancers.models import Freelancer, FreelancerStatus
from notifications.services import notification_send, notify

pytestmark = pytest.mark.django_db

OFF_SITE = ["https://evil.example/", "//evil.example/", "/\\evil.example/", "\\\\evil.example", "http:evil.example",
            "https:/evil.example", " //evil.example", "javascript:alert(1)"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_next_after_signing_in_never_leaves_the_site(client, owner, workspace, target):
    response = client.post(f"/accounts/login/?next={target}",
                           {"username": owner.email, "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert response["Location"].startswith("/") and not response["Location"].startswith(("//", "/\\"))


@pytest.mark.parametrize("target", OFF_SITE[:3])
def test_next_after_signing_out_never_leaves_the_site(owner_client, target):
    response = owner_client.post("/accounts/logout/", {"next": target})
    assert response["Location"].startswith("/") and not response["Location"].startswith(("//", "/\\"))


def test_a_name_with_line_breaks_adds_no_email_header(owner, workspace, mailoutbox):
    workspace.name = "Acme\r\nBcc: victim@evil.example\r\nX-Injected: yes"
    workspace.save()
    notification, _ = notify(
        kind="brief_acknowledged", recipient_email=owner.email, workspace=workspace, dedupe_key="inject:1",
        context={"freelancer_name": "Eve\nBcc: other@evil.example", "engagement_title": "Logo\r\nX-Evil: 1",
                 "url": "https://example.com/e/1/", "recipient_first_name": "Olivia"})
    notification_send(notification_id=notification.pk)
    [message] = mailoutbox
    raw = message.message().as_bytes()
    headers = raw.split(b"\n\n", 1)[0]
    assert b"\nBcc:" not in headers and b"\nX-Injected" not in headers and b"\nX-Evil" not in headers
    assert message.recipients() == [owner.email]
    assert "\n" not in message.subject and "\r" not in message.subject
    assert "Eve Bcc: other@evil.example" in message.subject


@pytest.fixture
def api(owner, workspace):
    _, key = ApiToken.issue(user=owner, workspace=workspace, role=TokenRole.OWNER)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_malformed_json_is_a_400_that_says_so(api):
    response = api.generic("POST", "/api/v1/freelancers/", '{"name": "Ana", ', content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


def test_a_one_megabyte_body_is_a_4xx_naming_the_problem(api):
    body = json.dumps({"name": "A" * (1024 * 1024), "email": "ana@example.net"})
    response = api.generic("POST", "/api/v1/freelancers/", body, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert "name" in response.json() or "detail" in response.json()


def test_a_body_over_the_request_limit_is_a_413_in_json(api, settings):
    body = json.dumps({"name": "A" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10), "email": "ana@example.net"})
    response = api.generic("POST", "/api/v1/freelancers/", body, content_type="application/json")
    assert response.status_code in (400, 413)
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


def test_a_form_post_over_the_limit_is_refused_not_a_500(owner_client, settings):
    response = owner_client.post("/freelancers/new/", {"name": "A" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)})
    assert response.status_code in (400, 413)



@pytest.mark.parametrize("target", OFF_SITE[:4])
def test_next_after_inviting_a_freelancer_never_leaves_the_site(owner_client, workspace, target):
    freelancer = Freelancer.objects.create(workspace=workspace, name="Nora", email="nora@example.net",
                                           status=FreelancerStatus.APPROVED)
    response = owner_client.post(f"/portal/owner/freelancers/{freelancer.pk}/invite/?next={target}", {"next": target})
    assert response.status_code == 302
    assert response["Location"].startswith("/") and not response["Location"].startswith(("//", "/\\"))
