import re
from urllib.parse import urlparse

import pytest


@pytest.fixture
def send_invitation(owner_client, celery_eager, mailoutbox, django_capture_on_commit_callbacks):
    """Invite a teammate from the team page as the owner; returns the emailed link's path."""

    def send(email="new.hire@example.com", url="/team/"):
        before = len(mailoutbox)
        with django_capture_on_commit_callbacks(execute=True):
            response = owner_client.post(url, {"email": email})
        assert response.status_code == 302, response.content.decode()[:2000]
        assert len(mailoutbox) == before + 1
        return invitation_path(mailoutbox[-1])

    return send


def invitation_path(message):
    [url] = re.findall(r"https?://\S+/invite/\S+/", message.body)
    return urlparse(url).path
