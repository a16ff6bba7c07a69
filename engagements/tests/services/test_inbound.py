"""Replies by email: a real RFC 5322 reply becomes one message without its quote and signature,
a redelivery makes nothing new, and every bad email is refused, recorded and logged — through
the action, a provider's webhook (anymail's Postmark shape, basic auth) and the command."""

import base64
import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from conftest import _test_database_url
from engagements.models import InboundEmail, InboundStatus, Message
from engagements.services.inbound import inbound_email_receive, reply_address
from engagements.services.lifecycle import engagement_cancel

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "reply.eml"
WEBHOOK = "/inbound-email/postmark/inbound/"


@pytest.fixture
def replies(settings):
    settings.REPLY_EMAIL_DOMAIN = "reply.example.com"
    settings.INBOUND_EMAIL_WEBHOOK_SECRET = "postmark:s3cret-hook"
    settings.ANYMAIL = {"WEBHOOK_SECRET": "postmark:s3cret-hook"}


def raw_reply(address, *, message_id=None, sender=None):
    text = FIXTURE.read_text().replace("REPLY_TO", address)
    if message_id:
        text = text.replace("<CAF3x9=reply-1@mail.example.net>", message_id)
    if sender:
        text = text.replace("Frida Lance <Frida@Example.net>", sender)
    return text.replace("\n", "\r\n").encode()


@pytest.fixture
def address(talking, freelancer_user, replies):
    return reply_address(user=freelancer_user, engagement=talking, as_freelancer=True)


def test_a_reply_becomes_one_message_without_quote_or_signature(talking, address, freelancer_user):
    row, created = inbound_email_receive(via="test", raw=raw_reply(address))
    assert created and row.status == InboundStatus.ACCEPTED
    message = Message.objects.get()
    assert message.body == ("Yes, the fonts are in the shared folder. I'll send the logo tomorrow — darker blue "
                            "as you asked.")
    assert (message.author_freelancer_id, message.author_user_id, message.via) == (
        talking.freelancer_id, freelancer_user.pk, "email")
    assert row.message == message and row.email_id == "<CAF3x9=reply-1@mail.example.net>"


def test_the_same_email_delivered_twice_makes_one_message(talking, address):
    first, created = inbound_email_receive(via="test", raw=raw_reply(address))
    again, created_again = inbound_email_receive(via="test", raw=raw_reply(address))
    assert created and not created_again and again.pk == first.pk
    assert Message.objects.count() == 1 and InboundEmail.objects.count() == 1


@pytest.mark.parametrize("mangle", ["signature", "unknown"])
def test_forged_or_unknown_addresses_are_refused_and_logged(talking, address, caplog, mangle):
    bad = address.replace(address.split("-")[-1][:6], "000000") if mangle == "signature" else "someone@example.com"
    with caplog.at_level(logging.WARNING, logger="engagements.services.inbound"):
        row, _ = inbound_email_receive(via="test", raw=raw_reply(bad))
    assert row.status == InboundStatus.REFUSED
    assert row.reason == ("forged reply address" if mangle == "signature" else "not addressed to a reply address "
                                                                                  "of ours")
    assert "refused" in caplog.text and Message.objects.count() == 0


def test_a_reply_from_another_address_is_refused(talking, address):
    row, _ = inbound_email_receive(via="test", raw=raw_reply(address, sender="Mallory <mallory@example.org>"))
    assert row.status == InboundStatus.REFUSED and "mallory@example.org" in row.reason
    assert Message.objects.count() == 0


def test_a_sender_no_longer_in_the_thread_is_refused(talking, address, owner):
    engagement_cancel(engagement=talking, actor=owner, reason="Stopped")
    ended, _ = inbound_email_receive(via="test", raw=raw_reply(address))
    assert ended.status == InboundStatus.REFUSED and "ended" in ended.reason


def test_revoked_access_is_refused(talking, address, freelancer_user):
    talking.freelancer.user = None
    talking.freelancer.save(update_fields=["user"])
    revoked, _ = inbound_email_receive(via="test", raw=raw_reply(address, message_id="<r2@mail.example.net>"))
    assert revoked.status == InboundStatus.REFUSED and "no longer in this conversation" in revoked.reason
    assert Message.objects.count() == 0


def test_oversized_and_malformed_emails_are_refused(talking, address, settings):
    settings.INBOUND_EMAIL_MAX_BYTES = 500
    big, _ = inbound_email_receive(via="test", raw=raw_reply(address))
    assert big.status == InboundStatus.REFUSED and big.reason.startswith("too big")
    settings.INBOUND_EMAIL_MAX_BYTES = 10_000
    junk, _ = inbound_email_receive(via="test", raw=b"\x00\xff not an email at all")
    assert junk.status == InboundStatus.REFUSED
    assert Message.objects.count() == 0


def _postmark(raw):
    return {"RawEmail": raw.decode(), "MessageID": "pm-1", "OriginalRecipient": "", "Headers": []}


def _auth(secret="postmark:s3cret-hook"):
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


def test_a_providers_webhook_posts_the_reply(client, talking, address):
    body = json.dumps(_postmark(raw_reply(address)))
    assert client.post(WEBHOOK, body, content_type="application/json").status_code == 400  # no basic auth
    assert client.post(WEBHOOK, body, content_type="application/json", **_auth("x:y")).status_code == 400
    response = client.post(WEBHOOK, body, content_type="application/json", **_auth())
    assert response.status_code == 200
    again = client.post(WEBHOOK, body, content_type="application/json", **_auth())
    assert again.status_code == 200
    assert Message.objects.count() == 1 and Message.objects.get().via == "email"


def test_the_webhooks_are_closed_without_a_secret(client, talking, address, settings):
    settings.INBOUND_EMAIL_WEBHOOK_SECRET = ""
    body = json.dumps(_postmark(raw_reply(address)))
    assert client.post(WEBHOOK, body, content_type="application/json", **_auth()).status_code == 404
    assert Message.objects.count() == 0


def test_an_oversized_post_is_answered_413(client, talking, address, settings):
    settings.INBOUND_EMAIL_MAX_BYTES = 100
    body = json.dumps(_postmark(raw_reply(address)))
    assert client.post(WEBHOOK, body, content_type="application/json", **_auth()).status_code == 413


def test_the_command_reads_a_raw_email_from_standard_input(talking, address, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw_reply(address))))
    call_command("inbound_email")
    assert "Posted as message" in capsys.readouterr().out
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw_reply("nobody@example.com",
                                                                            message_id="<x@y>"))))
    with pytest.raises(SystemExit) as refused:
        call_command("inbound_email")
    assert refused.value.code == 77
    assert Message.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_command_as_a_mail_server_runs_it(talking, address):
    """`manage.py inbound_email` in its own process, the email on its standard input."""
    env = {**os.environ, "REPLY_EMAIL_DOMAIN": "reply.example.com", "DATABASE_URL": _test_database_url(),
           "DJANGO_SETTINGS_MODULE": "outsourcing.test_settings"}
    done = subprocess.run([sys.executable, "manage.py", "inbound_email"], input=raw_reply(address), env=env,
                          capture_output=True, cwd=Path(__file__).resolve().parents[3], timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode()
    assert Message.objects.get().body.startswith("Yes, the fonts are in the shared folder.")
