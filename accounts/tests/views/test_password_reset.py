import re
from urllib.parse import urlparse

import pytest

from accounts.tests.factories import PASSWORD
from notifications.models import Notification, NotificationStatus

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "lantern-orchard-1987-q"


def _request_reset(client, email, capture):
    with capture(execute=True):
        return client.post("/password-reset/", {"email": email})


def _link(message):
    [url] = re.findall(r"https?://\S+/password-reset/\S+/", message.body)
    assert url in message.alternatives[0].content  # the HTML part carries the same link
    return urlparse(url).path


def test_a_reset_email_goes_through_the_outbox_and_its_link_works_once(
    client, owner, celery_eager, mailoutbox, django_capture_on_commit_callbacks
):
    response = _request_reset(client, "OWNER@example.com", django_capture_on_commit_callbacks)
    assert response["Location"] == "/password-reset/sent/"

    notification = Notification.objects.get()
    assert (notification.kind, notification.recipient_email, notification.recipient_user) == (
        "password_reset", "owner@example.com", owner)
    assert notification.status == NotificationStatus.SENT
    # The one-time link is not kept once the email is out.
    assert notification.context == {"reset_url": "[removed after sending]"}

    [message] = mailoutbox
    assert message.to == ["owner@example.com"]
    assert message.subject == "Reset your password"
    path = _link(message)

    # The link trades its token for the session and lands on a clean address.
    page = client.get(path, follow=True)
    assert page.redirect_chain[-1][0].endswith("/set-password/")
    assert "Choose a new password" in page.content.decode()
    done = client.post(page.redirect_chain[-1][0],
                       {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done["Location"] == "/password-reset/complete/"

    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)
    assert not owner.check_password(PASSWORD)

    # A second use of the same link is refused.
    again = client.get(path, follow=True)
    assert "This reset link can't be used" in again.content.decode()
    assert "Choose a new password" not in again.content.decode()

    login = client.post("/accounts/login/", {"username": owner.email, "password": NEW_PASSWORD})
    assert login.status_code == 302


def test_a_weak_new_password_is_refused_and_the_old_one_stays(
    client, owner, celery_eager, mailoutbox, django_capture_on_commit_callbacks
):
    _request_reset(client, owner.email, django_capture_on_commit_callbacks)
    page = client.get(_link(mailoutbox[0]), follow=True)

    response = client.post(page.redirect_chain[-1][0], {"new_password1": "abc", "new_password2": "abc"})

    assert response.status_code == 200
    assert "too short" in response.content.decode()
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)


def test_an_unknown_email_gets_the_same_answer_and_no_email(
    client, owner, celery_eager, mailoutbox, django_capture_on_commit_callbacks
):
    response = _request_reset(client, "nobody@example.com", django_capture_on_commit_callbacks)

    assert response["Location"] == "/password-reset/sent/"
    assert not Notification.objects.exists()
    assert mailoutbox == []


def test_a_tampered_link_is_refused(client, owner, celery_eager, mailoutbox, django_capture_on_commit_callbacks):
    _request_reset(client, owner.email, django_capture_on_commit_callbacks)
    path = _link(mailoutbox[0])
    tampered = path[:-3] + ("x" if path[-3] != "x" else "y") + path[-2:]

    page = client.get(tampered, follow=True)

    assert "This reset link can't be used" in page.content.decode()


def test_asking_again_and_again_sends_one_email_per_five_minutes(
    client, owner, celery_eager, mailoutbox, django_capture_on_commit_callbacks
):
    import datetime as dt

    import time_machine

    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, 1, tzinfo=dt.UTC), tick=False) as clock:
        for _ in range(3):
            _request_reset(client, owner.email, django_capture_on_commit_callbacks)
        assert len(mailoutbox) == 1
        clock.shift(dt.timedelta(minutes=5))
        _request_reset(client, owner.email, django_capture_on_commit_callbacks)
        assert len(mailoutbox) == 2
        # The first link still works.
        page = client.get(_link(mailoutbox[0]), follow=True)
        assert "Choose a new password" in page.content.decode()
