"""Upload names with path tricks are stored safely (issue 15): whatever a client says a file is
called — a path up and out, an absolute path, a NUL, a Windows path, a name of 300 characters —
the file is stored under a generated name inside MEDIA_ROOT, the name kept for showing is a
plain file name within its column, and the download offers that plain name in one header.

The multipart bodies are written by hand: Django's test client would strip the directories
itself, and a browser or a script need not."""

import pytest
from rest_framework.test import APIClient

from api.models import ApiToken, TokenRole
from engagements.models import Attachment
from freelancers.models import Freelancer, Sample
from freelancers.tests.factories import PNG

pytestmark = pytest.mark.django_db

BOUNDARY = "----upload-name-test"
TRICKS = ["../../../../etc/cron.d/evil.png", "/etc/passwd.png", "..\\..\\windows\\win.ini.png", "a\x00b.png",
          "x" * 300 + ".png", "%2e%2e%2fup.png", "C:\\Users\\me\\shot.png"]
# Names that are refused with a message instead (nothing stored): no extension left once the
# dots are seen for what they are; a line break that breaks the multipart header itself.
REFUSED = ["....png", "\r\nX-Injected: 1.png"]


def multipart(fields, filename, *, file_field):
    parts = [f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    quoted = filename.replace('"', "%22")
    parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{quoted}"\r\n'
                 f"Content-Type: image/png\r\n\r\n".encode("utf-8", "surrogateescape") + PNG + b"\r\n")
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def _files_under(root):
    return sorted(p for p in root.rglob("*") if p.is_file())


def _check_stored(media, stored_path, shown_name, column):
    assert media in (media / stored_path).resolve().parents
    assert "/" not in shown_name and "\\" not in shown_name and "\x00" not in shown_name
    assert "\r" not in shown_name and "\n" not in shown_name and ".." not in shown_name.strip(".")[:2]
    assert 0 < len(shown_name) <= column


def _check_download(response):
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "\n" not in disposition and "\r" not in disposition
    assert "/" not in disposition.split("filename", 1)[1]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.mark.parametrize("filename", TRICKS + REFUSED)
def test_a_sample_uploaded_on_the_page_is_stored_under_a_generated_name(owner_client, workspace, media, filename):
    freelancer = Freelancer.objects.create(workspace=workspace, name="Ana", email="ana@example.net")
    response = owner_client.post(f"/freelancers/{freelancer.pk}/samples/new/",
                                 multipart({"title": "Shot"}, filename, file_field="file"),
                                 content_type=f"multipart/form-data; boundary={BOUNDARY}")
    assert [p for p in _files_under(media.parent) if media not in p.parents] == []
    if filename in REFUSED:
        assert response.status_code == 200 and "is-invalid" in response.content.decode()
        assert not Sample.objects.exists()
    else:
        assert response.status_code == 302  # taken, under a safe name
        sample = Sample.objects.get(freelancer=freelancer)
        _check_stored(media, sample.file.name, sample.original_filename, 255)
        _check_download(owner_client.get(f"/freelancers/samples/{sample.pk}/download/"))


@pytest.mark.parametrize("filename", TRICKS + REFUSED)
def test_a_file_uploaded_through_the_api_is_stored_under_a_generated_name(owner, workspace, media, filename):
    _, key = ApiToken.issue(user=owner, workspace=workspace, role=TokenRole.OWNER)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = api.generic("POST", "/api/v1/attachments/", multipart({}, filename, file_field="file"),
                           content_type=f"multipart/form-data; boundary={BOUNDARY}")
    assert [p for p in _files_under(media.parent) if media not in p.parents] == []
    if filename in REFUSED:
        assert response.status_code == 400 and response.json()["file"]
        assert not Attachment.objects.exists()
    else:
        assert response.status_code == 201, response.content
        attachment = Attachment.objects.get(workspace=workspace)
        _check_stored(media, attachment.file.name, attachment.name, 200)
        _check_download(api.get(f"/api/v1/attachments/{attachment.pk}/"))
