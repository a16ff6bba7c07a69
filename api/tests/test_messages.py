# ruff: noqa: F811 - the conversation's fixtures are imported from engagements' tests and used by name
"""The conversation in the API: list and write messages (the freelancer and the owner's side),
edit within the window, read marks and `unread_messages`, uploads refused with 400 naming the
limit or the type, downloads as attachments with nosniff."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from api.models import TokenRole
from engagements.models import Attachment, Message
from engagements.tests.conftest import (  # noqa: F401 - the conversation's cast, as fixtures here
    active,
    engagement,
    freelancer,
    freelancer_user,
    media,
    talking,
)

from .conftest import client_with, issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def clients(talking, owner, workspace, freelancer_user):
    return {"owner": client_with(issue(owner, workspace, TokenRole.OWNER)),
            "freelancer": client_with(issue(freelancer_user, workspace, TokenRole.FREELANCER, talking.freelancer))}


def test_both_sides_talk_with_a_file_and_read_marks(talking, clients):
    owner, freelancer = clients["owner"], clients["freelancer"]
    sent = owner.post(f"/api/v1/engagements/{talking.pk}/messages/", {"body": "Fonts, please?"}, format="json")
    assert sent.status_code == 201 and sent.json()["author"] == "Olivia Owner" and not sent.json()["system"]
    assert freelancer.get(f"/api/v1/engagements/{talking.pk}/").json()["unread_messages"] == 1

    uploaded = freelancer.post("/api/v1/attachments/", {"file": SimpleUploadedFile("fonts.txt", b"Inter, Lora")},
                               format="multipart")
    assert uploaded.status_code == 201
    file_id = uploaded.json()["id"]
    assert uploaded.json() == {"id": file_id, "name": "fonts.txt", "size": 11, "content_type": "text/plain"}
    assert owner.get(f"/api/v1/attachments/{file_id}/").status_code == 404  # not used yet: the uploader's alone
    reply = freelancer.post(f"/api/v1/engagements/{talking.pk}/messages/",
                            {"body": "Here", "attachments": [file_id]}, format="json")
    assert reply.status_code == 201 and reply.json()["from_freelancer"]
    download = owner.get(f"/api/v1/attachments/{file_id}/")
    assert download.status_code == 200
    assert download["X-Content-Type-Options"] == "nosniff" and download["Content-Type"].startswith("text/plain")
    assert download["Content-Disposition"].startswith("attachment;")
    again = freelancer.post(f"/api/v1/engagements/{talking.pk}/messages/", {"body": "x", "attachments": [file_id]},
                            format="json")
    assert again.status_code == 400 and "attachments" in again.json()

    thread = freelancer.get(f"/api/v1/engagements/{talking.pk}/messages/").json()["results"]
    assert [r["body"] for r in thread if not r["system"]] == ["Fonts, please?", "Here"]
    assert any(r["system"] and r["kind"] == "offered" and r["url"] for r in thread)
    first = sent.json()["id"]
    newer = owner.get(f"/api/v1/engagements/{talking.pk}/messages/?after={first}").json()["results"]
    assert [r["body"] for r in newer] == ["Here"]

    assert freelancer.post(f"/api/v1/engagements/{talking.pk}/messages/read/").json()["unread_messages"] == 0
    assert freelancer.get(f"/api/v1/engagements/{talking.pk}/").json()["unread_messages"] == 0
    assert owner.get("/api/v1/engagements/").json()["results"][0]["unread_messages"] == 1


def test_edit_within_the_window_by_the_author_only(talking, clients):
    sent = clients["owner"].post(f"/api/v1/engagements/{talking.pk}/messages/", {"body": "Tpyo"}, format="json")
    url = f"/api/v1/messages/{sent.json()['id']}/"
    assert clients["freelancer"].patch(url, {"body": "Mine now"}, format="json").status_code == 404
    edited = clients["owner"].patch(url, {"body": "Typo"}, format="json")
    assert edited.status_code == 200 and edited.json()["body"] == "Typo" and edited.json()["edited_at"]
    retracted = clients["owner"].post(f"{url}retract/")
    assert retracted.json()["retracted"] and retracted.json()["body"] == ""


@pytest.mark.parametrize(("name", "content", "words"), [
    ("huge.pdf", b"%PDF-" + b"x" * 4096, "the limit is"),
    ("run.exe", b"MZ\x90\x00", "are not accepted"),
    ("photo.png", b"<html><body>not a picture</body></html>", "named like a PNG image"),
])
def test_uploads_are_refused_naming_the_limit_or_the_type(talking, clients, settings, media, name, content, words):
    settings.MAX_UPLOAD_BYTES = 1024
    response = clients["owner"].post("/api/v1/attachments/", {"file": SimpleUploadedFile(name, content)},
                                     format="multipart")
    assert response.status_code == 400 and words in " ".join(response.json()["file"])
    assert Attachment.objects.count() == 0


def test_an_empty_message_is_refused(talking, clients):
    response = clients["owner"].post(f"/api/v1/engagements/{talking.pk}/messages/", {"body": "  "}, format="json")
    assert response.status_code == 400 and "body" in response.json()
    assert Message.objects.count() == 0
