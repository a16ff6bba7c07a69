"""The Message-ID of every email names a domain the sender controls, not the machine's name:
mail providers score a `@localhost` Message-ID as a sign of a misconfigured or spamming host."""

import email
import email.policy
import re

import pytest

from notifications.services import notification_send

pytestmark = pytest.mark.django_db

MESSAGE_ID = re.compile(rb"^Message-ID: <([^>@\s]+)@([^>\s]+)>\r?$", re.MULTILINE | re.IGNORECASE)


def _written_bytes(mail_dir):
    """What the file backend (the local run's mailer) wrote: the serialized message."""
    [path] = list(mail_dir.iterdir())
    return path.read_bytes()


def _message_ids(raw):
    return MESSAGE_ID.findall(raw)


def test_the_message_id_on_the_wire_names_the_site_domain(make_notification, settings, tmp_path):
    settings.SITE_URL = "https://app.example.com:8443"
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                                    "OPTIONS": {"file_path": str(tmp_path)}}}
    notification = make_notification()

    assert notification_send(notification_id=notification.pk) == "sent"

    raw = _written_bytes(tmp_path)
    [(left, domain)] = _message_ids(raw)
    assert domain == b"app.example.com"
    assert b"localhost" not in left + domain
    # It parses back as one well-formed header (the file ends with a line of dashes).
    parsed = email.message_from_bytes(raw.rsplit(b"-" * 79, 1)[0], policy=email.policy.default)
    assert parsed["Message-ID"] == f"<{left.decode()}@app.example.com>"


def test_a_message_id_domain_setting_wins_over_the_site_url(make_notification, settings, mailoutbox):
    settings.SITE_URL = "http://127.0.0.1:8000"
    settings.EMAIL_MESSAGE_ID_DOMAIN = "mail.example.org"
    notification = make_notification()

    assert notification_send(notification_id=notification.pk) == "sent"

    [message] = mailoutbox
    [(_, domain)] = _message_ids(message.message().as_bytes())
    assert domain == b"mail.example.org"


def test_each_email_gets_its_own_message_id(make_notification, settings, mailoutbox):
    settings.SITE_URL = "https://app.example.com"
    for key in ("test:1", "test:2"):
        notification_send(notification_id=make_notification(key=key).pk)

    ids = [_message_ids(m.message().as_bytes())[0] for m in mailoutbox]
    assert len(ids) == 2 and ids[0] != ids[1]
    assert {domain for _, domain in ids} == {b"app.example.com"}


def test_a_site_on_an_ipv6_address_gives_a_domain_literal(make_notification, settings, mailoutbox):
    settings.SITE_URL = "http://[::1]:8000"
    notification_send(notification_id=make_notification().pk)

    [message] = mailoutbox
    [(_, domain)] = _message_ids(message.message().as_bytes())
    assert domain == b"[::1]"
