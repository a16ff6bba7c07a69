"""Messages missed in the app: one email for several quick messages, none when read in time,
none at night in the reader's zone until 08:00, preferences applied, Reply-To the reader's own
signed reply address."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from engagements.models import ThreadRead
from engagements.reminders.messages import missed_message_emails
from engagements.services import conversation
from engagements.services.inbound import read_reply_address
from notifications.models import Notification, NotificationStatus
from notifications.preferences import preference_set

pytestmark = pytest.mark.django_db

# 13:00 in Lisbon (the freelancer's zone, UTC+0 in winter) and in UTC (the owner's).
NOON = datetime(2026, 1, 14, 13, 0, tzinfo=UTC)


@pytest.fixture
def replies(settings):
    settings.REPLY_EMAIL_DOMAIN = "reply.example.com"


def _post(engagement, author, at, body, **kw):
    with time_machine.travel(at, tick=False):
        return conversation.message_post(engagement=engagement, author=author, body=body, **kw)


@pytest.fixture(autouse=True)
def _sends(request, django_capture_on_commit_callbacks):
    """Emails a sweep queues are sent at once (the send task runs eagerly on commit)."""
    request.getfixturevalue("celery_eager")
    global _capture
    _capture = django_capture_on_commit_callbacks


def _sweep(at):
    with time_machine.travel(at, tick=False), _capture(execute=True):
        return missed_message_emails()


def test_three_quick_messages_make_one_email_with_a_reply_address(talking, owner, freelancer_user, replies,
                                                                    celery_eager, mailoutbox):
    for minute, text in enumerate(["First: are you around", "Quick question about the fonts", "And the logo?"]):
        _post(talking, owner, NOON + timedelta(minutes=minute * 3), text)
    assert _sweep(NOON + timedelta(minutes=9)) == {"emailed": 0}  # not yet ten minutes
    assert _sweep(NOON + timedelta(minutes=10)) == {"emailed": 1}
    assert _sweep(NOON + timedelta(minutes=11)) == {"emailed": 0}

    [email] = [m for m in mailoutbox if freelancer_user.email in m.to]
    assert "3 new messages from Olivia Owner" in email.subject
    assert "Quick question about the fonts" in email.body and "And the logo?" in email.body
    assert f"/portal/engagements/{talking.pk}/messages/" in email.body
    [reply_to] = email.reply_to
    assert read_reply_address(reply_to) == (True, freelancer_user.pk, talking.pk)
    # The stored context no longer holds the address once sent.
    sent = Notification.objects.get(kind="message_missed_portal")
    assert sent.status == NotificationStatus.SENT and "reply+" not in str(sent.context)

    # A later message starts a new window, and its email names only what is new.
    _post(talking, owner, NOON + timedelta(minutes=30), "One more thing")
    _sweep(NOON + timedelta(minutes=40))
    latest = [m for m in mailoutbox if freelancer_user.email in m.to][-1]
    assert "One more thing" in latest.body and "First: are you around" not in latest.body


def test_no_email_for_messages_read_in_time(talking, owner, freelancer_user, celery_eager, mailoutbox):
    _post(talking, owner, NOON, "Are you there?")
    with time_machine.travel(NOON + timedelta(minutes=4), tick=False):
        conversation.thread_mark_read(engagement=talking, user=freelancer_user)
    assert _sweep(NOON + timedelta(minutes=20)) == {"emailed": 0}
    assert Notification.objects.filter(kind__startswith="message_missed").count() == 0


def test_the_owner_side_hears_about_the_freelancers_messages(talking, owner, freelancer_user, celery_eager,
                                                              mailoutbox):
    _post(talking, freelancer_user, NOON, "Done with part 1", as_freelancer=True)
    _sweep(NOON + timedelta(minutes=10))
    [email] = mailoutbox
    assert email.to == [owner.email] and "from Frida Lance" in email.subject
    assert f"/engagements/{talking.pk}/messages/" in email.body and email.reply_to == []


def test_none_at_night_in_the_readers_zone_until_eight(talking, owner, freelancer_user, celery_eager, mailoutbox):
    freelancer_user.timezone = "Asia/Tokyo"  # UTC+9: 23:30 there is 14:30 UTC
    freelancer_user.save(update_fields=["timezone"])
    night = datetime(2026, 1, 14, 14, 30, tzinfo=UTC)
    _post(talking, owner, night, "Late thought")
    assert _sweep(night + timedelta(minutes=10)) == {"emailed": 0}
    morning = datetime(2026, 1, 14, 23, 0, tzinfo=UTC)  # 08:00 in Tokyo
    assert ThreadRead.objects.get(user=freelancer_user).notify_at == morning
    assert _sweep(morning - timedelta(minutes=1)) == {"emailed": 0}
    assert _sweep(morning) == {"emailed": 1}
    assert len(mailoutbox) == 1


def test_what_was_read_overnight_is_not_emailed_in_the_morning(talking, owner, freelancer_user, celery_eager,
                                                                mailoutbox):
    freelancer_user.timezone = "Asia/Tokyo"
    freelancer_user.save(update_fields=["timezone"])
    night = datetime(2026, 1, 14, 14, 30, tzinfo=UTC)
    _post(talking, owner, night, "Late thought")
    _sweep(night + timedelta(minutes=10))
    with time_machine.travel(night + timedelta(hours=2), tick=False):
        conversation.thread_mark_read(engagement=talking, user=freelancer_user)
    assert _sweep(datetime(2026, 1, 14, 23, 0, tzinfo=UTC)) == {"emailed": 0}
    assert mailoutbox == []


def test_the_readers_choice_applies(talking, owner, freelancer_user, celery_eager, mailoutbox):
    preference_set(workspace=talking.workspace, email=freelancer_user.email, category="portal_messages", mode="off")
    _post(talking, owner, NOON, "Hello")
    _sweep(NOON + timedelta(minutes=10))
    assert mailoutbox == []
    assert Notification.objects.get(kind="message_missed_portal").status == NotificationStatus.SUPPRESSED


def test_a_sweep_run_twice_sends_once(talking, owner, freelancer_user, celery_eager, mailoutbox):
    _post(talking, owner, NOON, "Hello")
    assert _sweep(NOON + timedelta(minutes=10)) == {"emailed": 1}
    ThreadRead.objects.filter(user=freelancer_user).update(notify_at=NOON)  # as if the claim had not moved it
    _sweep(NOON + timedelta(minutes=10))
    assert len(mailoutbox) == 1
