"""The missed-message email end to end: a real Celery worker and beat on Redis, mail to the SMTP
sink on loopback. One email for two quick messages, with Reply-To the reader's reply address;
answering it (the raw email the sink received, replied to) puts the answer in the thread."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from engagements.models import Message, ThreadRead
from engagements.services import conversation
from engagements.services.inbound import inbound_email_receive
from engagements.services.lifecycle import engagement_create
from engagements.tests.conftest import activate
from engagements.tests.factories import ApprovedFreelancerFactory
from outsourcing.tests.brokers import wait_until as _wait
from outsourcing.tests.test_reminders_e2e import _zone_where_it_is_midday

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


def test_two_messages_one_email_and_the_reply_lands_in_the_thread(celery_beat_process, smtp_sink, workspace,
                                                                   owner, settings):
    # The worker runs with the same reply domain and SECRET_KEY (conftest's celery_process_env).
    settings.REPLY_EMAIL_DOMAIN = "reply.example.com"
    zone = _zone_where_it_is_midday()
    user = UserFactory(email="ana.talk@example.net", full_name="Ana Talk", timezone=zone)
    freelancer = ApprovedFreelancerFactory(workspace=workspace, name="Ana Talk", email=user.email, user=user,
                                           timezone=zone)
    engagement = activate(engagement_create(workspace=workspace, created_by=owner, freelancer=freelancer,
                                            title="Logo redesign", budget=100_000), owner)
    for text in ("Are the fonts licensed?", "And can we try a darker blue?"):
        conversation.message_post(engagement=engagement, author=owner, body=text)
    # Ten minutes pass (the ladder's moment is a column: move it instead of waiting).
    ThreadRead.objects.filter(user=user).update(notify_at=timezone.now() - timedelta(seconds=1))

    _wait(lambda: any("new messages" in m["Subject"] for m in smtp_sink.received(to=user.email)), 120,
          "the missed-message email")
    [email] = [m for m in smtp_sink.received(to=user.email) if "new messages" in m["Subject"]]
    body = email.get_body(("plain",)).get_content()
    assert "2 new messages from Olivia Owner" in email["Subject"]
    assert "Are the fonts licensed?" in body and "darker blue" in body
    reply_to = email["Reply-To"]
    assert reply_to.startswith("reply+f") and reply_to.endswith("@reply.example.com")

    reply = (f"From: Ana Talk <{user.email}>\r\nTo: {reply_to}\r\nSubject: Re: {email['Subject']}\r\n"
             f"Message-ID: <e2e-reply@example.net>\r\n\r\nYes, licensed for web and print.\r\n\r\n"
             f"On {email['Date']}, {email['From']} wrote:\r\n> Are the fonts licensed?\r\n").encode()
    row, created = inbound_email_receive(via="test", raw=reply)
    assert created and row.message is not None
    assert Message.objects.filter(engagement=engagement).order_by("-id").first().body == \
        "Yes, licensed for web and print."
