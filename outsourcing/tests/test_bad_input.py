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
from email import message_from_bytes
from urllib.parse import quote, urlencode, urljoin, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import PASSWORD
from api.models import ApiToken, TokenRole
from freelancers.models import Freelancer, FreelancerStatus
from notifications.services import notification_send, notify

pytestmark = pytest.mark.django_db

# Ways to write another site that a naive check lets through (browsers treat `\\` as `/`, drop
# tabs and line breaks, and skip leading spaces).
OFF_SITE = ["https://evil.example/", "//evil.example/", "/\\evil.example/", "\\\\evil.example", "http:evil.example",
            "https:/evil.example", " //evil.example", "javascript:alert(1)", "https:evil.example", "///evil.example",
            "/\t/evil.example", "https://testserver.evil.example/", "HTTPS://evil.example"]


def stays_on_site(location, base="http://testserver/accounts/login/"):
    """Where a browser would go from `base` when told `location`: still this site?"""
    cleaned = location.replace("\t", "").replace("\r", "").replace("\n", "").lstrip(" \x00\x01\x1f")
    cleaned = cleaned.replace("\\", "/")
    if cleaned.startswith("//"):  # any number of slashes, then a host
        cleaned = "//" + cleaned.lstrip("/")
    target = urlsplit(urljoin(base, cleaned))
    return target.scheme in ("http", "https") and target.netloc == "testserver"


def test_the_check_knows_what_leaves_the_site():
    # "http:evil.example" from an http page is a relative path in browsers (WHATWG), as here.
    assert [t for t in OFF_SITE if stays_on_site(t)] == ["http:evil.example"]
    assert stays_on_site("/engagements/1/") and stays_on_site("%2F%2Fevil.example")


@pytest.mark.parametrize("target", OFF_SITE)
def test_next_after_signing_in_never_leaves_the_site(client, owner, workspace, target):
    response = client.post(f"/accounts/login/?next={quote(target)}",
                           {"username": owner.email, "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert stays_on_site(response["Location"]), response["Location"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_next_on_the_portal_sign_in_never_leaves_the_site(client, owner, target):
    shown = client.get("/portal/sign-in/", {"next": target}).content.decode()
    assert "evil.example" not in shown and "javascript:" not in shown
    client.force_login(owner)
    response = client.get("/portal/sign-in/", {"next": target})
    assert response.status_code == 302
    assert stays_on_site(response["Location"], "http://testserver/portal/sign-in/"), response["Location"]


@pytest.mark.parametrize("target", OFF_SITE[:3])
def test_next_after_signing_out_never_leaves_the_site(owner_client, target):
    response = owner_client.post("/accounts/logout/", {"next": target})
    assert stays_on_site(response["Location"]), response["Location"]


# Line breaks of every kind, Unicode's own separators included, in a title that reaches a subject.
LINE_SEPARATORS = "Logo\r\nX-Evil: 1\u2028Bcc: third@evil.example\x85X-Evil2: 1"


def test_a_name_with_line_breaks_adds_no_email_header(owner, workspace, mailoutbox):
    workspace.name = "Acme\r\nBcc: victim@evil.example\r\nX-Injected: yes"
    workspace.save()
    notification, _ = notify(
        kind="brief_acknowledged", recipient_email=owner.email, workspace=workspace, dedupe_key="inject:1",
        context={"freelancer_name": "Eve\nBcc: other@evil.example", "engagement_title": LINE_SEPARATORS,
                 "url": "https://example.com/e/1/", "recipient_first_name": "Olivia"})
    notification_send(notification_id=notification.pk)
    [message] = mailoutbox
    raw = message.message().as_bytes()
    headers = raw.split(b"\n\n", 1)[0]
    assert b"\nBcc:" not in headers and b"\nX-Injected" not in headers and b"\nX-Evil" not in headers
    names = {name.lower() for name in message_from_bytes(raw)}
    assert not names & {"bcc", "x-injected", "x-evil", "x-evil2"}, names
    assert message.recipients() == [owner.email]
    assert "\n" not in message.subject and "\r" not in message.subject
    assert "Eve Bcc: other@evil.example" in message.subject


BROKEN_NAME = "Acme\r\nBcc: victim@evil.example"


def test_a_workspace_name_with_a_line_break_is_a_field_error(owner_client, workspace):
    response = owner_client.post("/accounts/workspace/settings/", {
        "name": BROKEN_NAME, "timezone": "UTC", "currency": "USD"})
    assert response.status_code == 200
    assert "line breaks are not allowed" in response.content.decode()
    workspace.refresh_from_db()
    assert "Bcc" not in workspace.name


def test_signing_up_with_a_line_break_in_a_name_is_a_field_error(client):
    response = client.post("/accounts/signup/", {
        "full_name": "Olga\nBcc: x@evil.example", "email": "olga@example.com", "password": "a long pass phrase 42",
        "workspace_name": BROKEN_NAME, "timezone": "UTC", "currency": "USD"})
    assert response.status_code == 200
    assert response.content.decode().count("line breaks are not allowed") == 2
    assert not User.objects.filter(email="olga@example.com").exists()


def test_a_freelancer_name_with_a_line_break_is_refused_on_the_page_and_the_api(owner_client, api, workspace):
    page = owner_client.post("/freelancers/new/", {"name": BROKEN_NAME, "email": "eve@example.net"})
    assert page.status_code == 200 and "line breaks are not allowed" in page.content.decode()
    response = api.post("/api/v1/freelancers/", {"name": BROKEN_NAME, "email": "eve@example.net"}, format="json")
    assert response.status_code == 400 and "line breaks" in response.json()["name"][0]
    assert not Freelancer.objects.filter(email="eve@example.net").exists()
    # Spaces and line breaks around a name are only trimmed.
    fine = api.post("/api/v1/freelancers/", {"name": " Eve Evans\n", "email": "eve@example.net"}, format="json")
    assert fine.status_code == 201 and fine.json()["name"] == "Eve Evans"


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


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_a_one_megabyte_form_is_a_413_that_says_so_and_stores_nothing(owner_client, encoding):
    data = {"name": "A" * (1024 * 1024), "email": "big@example.net"}
    if encoding == "urlencoded":
        response = owner_client.post("/freelancers/new/", urlencode(data),
                                     content_type="application/x-www-form-urlencoded")
    else:
        response = owner_client.post("/freelancers/new/", data)
    assert response.status_code == 413 and response["Content-Type"].startswith("text/html")
    assert "more than the 524,288 characters of text a page accepts" in response.content.decode()
    assert "Nothing was saved" in response.content.decode()
    assert not Freelancer.objects.filter(email="big@example.net").exists()


def test_error_pages_are_the_apps_own_and_say_what_happened(owner_client, settings):
    settings.DEBUG = False
    response = owner_client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode() and 'href="/"' in response.content.decode()

    def broken(request):
        raise RuntimeError("boom")

    from django.test import Client
    from django.urls import path

    settings.ROOT_URLCONF = type("Urls", (), {"urlpatterns": [path("broken/", broken)],
                                              "handler500": "django.views.defaults.server_error"})
    client = Client(raise_request_exception=False)
    response = client.get("/broken/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    assert "nothing you sent was half-saved" in response.content.decode()


def test_a_large_file_is_not_a_large_form(owner_client, workspace, settings, tmp_path):
    """Only the text counts: a multipart post with a file over the form limit reaches the page."""
    settings.MEDIA_ROOT = tmp_path
    freelancer = Freelancer.objects.create(workspace=workspace, name="Ana", email="ana@example.net")
    upload = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (600 * 1024), content_type="application/pdf")
    response = owner_client.post(f"/freelancers/{freelancer.pk}/samples/new/", {"title": "Big", "file": upload})
    assert response.status_code == 302
    assert freelancer.samples.get().size > 600 * 1024


def test_a_form_post_over_the_limit_is_refused_not_a_500(owner_client, settings):
    response = owner_client.post("/freelancers/new/", {"name": "A" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)})
    assert response.status_code in (400, 413)



@pytest.mark.parametrize("target", OFF_SITE[:4])
def test_next_after_inviting_a_freelancer_never_leaves_the_site(owner_client, workspace, target):
    freelancer = Freelancer.objects.create(workspace=workspace, name="Nora", email="nora@example.net",
                                           status=FreelancerStatus.APPROVED)
    response = owner_client.post(f"/portal/owner/freelancers/{freelancer.pk}/invite/?next={target}", {"next": target})
    assert response.status_code == 302
    assert stays_on_site(response["Location"]), response["Location"]
