"""The conversation's pages on both sides: writing with a file, the download's headers, the
unread badges on the owner's list and the portal's home, edits, and refusals shown on the form."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from engagements.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def freelancer_client(freelancer_user, talking):
    from portal.models import PortalAccess

    PortalAccess.objects.get_or_create(freelancer=talking.freelancer)
    client = Client()
    client.force_login(freelancer_user)
    return client


def test_owner_and_freelancer_converse_on_their_pages(owner_client, freelancer_client, talking):
    owner_page = f"/engagements/{talking.pk}/messages/"
    portal_page = f"/portal/engagements/{talking.pk}/messages/"
    sent = owner_client.post(owner_page, {"body": "Send the **fonts**?"})
    assert sent.status_code == 302 and sent["Location"].endswith("#latest")

    home = freelancer_client.get("/portal/")
    assert b"1 unread" in home.content and b"1 unread message" in home.content
    page = freelancer_client.get(portal_page)
    assert b"<strong>fonts</strong>" in page.content and b"Olivia Owner" in page.content
    assert b"1 unread" not in freelancer_client.get("/portal/").content  # seen: read

    freelancer_client.post(portal_page, {"body": "Attached", "files": [
        SimpleUploadedFile("fonts.pdf", b"%PDF-1.4 the fonts", content_type="application/pdf")]})
    listing = owner_client.get("/engagements/")
    assert b"1 unread" in listing.content
    attachment = Message.objects.get(body="Attached").attachments.get()
    download = owner_client.get(f"/engagements/{talking.pk}/attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="fonts.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff" and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == b"%PDF-1.4 the fonts"
    assert b"fonts.pdf" in owner_client.get(owner_page).content


def test_a_refused_file_is_shown_on_the_form_and_nothing_is_kept(owner_client, talking):
    response = owner_client.post(f"/engagements/{talking.pk}/messages/", {"body": "Look", "files": [
        SimpleUploadedFile("cat.png", b"<html>nope</html>", content_type="image/png")]})
    assert response.status_code == 400 and "named like a PNG image" in response.content.decode()
    assert Message.objects.count() == 0


def test_the_author_edits_and_the_thread_says_edited(owner_client, talking):
    owner_client.post(f"/engagements/{talking.pk}/messages/", {"body": "Helo"})
    message = Message.objects.get()
    edit = f"/engagements/{talking.pk}/messages/{message.pk}/edit/"
    assert owner_client.get(edit).status_code == 200
    owner_client.post(edit, {"body": "Hello"})
    page = owner_client.get(f"/engagements/{talking.pk}/messages/").content.decode()
    assert "Hello" in page and "edited" in page
