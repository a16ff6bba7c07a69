"""The freelancer's inbox: the emails they got are the notices behind the portal's bell (the
same outbox rows, nothing notified twice); opening one marks it read; mark all read; the
owner's notices are not theirs; the profile page makes their calendar link."""

import pytest
from django.core import mail
from django.urls import reverse

from notifications.models import Notification, NotificationStatus
from notifications.services import notification_send

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def locmem(settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    mail.outbox = []


def send_all():
    for pk in Notification.objects.filter(status=NotificationStatus.QUEUED).values_list("pk", flat=True):
        notification_send(notification_id=pk)


def test_the_freelancers_emails_are_their_notices(client_a, offered, user_a):
    send_all()
    emails = [m for m in mail.outbox if m.to == [user_a.email]]
    assert emails  # the offer emailed the brief
    response = client_a.get(reverse("portal:inbox"))
    notices = response.context["notices"]
    assert sorted(n.title for n in notices) == sorted(m.subject.split("] ", 1)[1] for m in emails)
    assert Notification.objects.filter(recipient_email=user_a.email).count() == len(notices)
    page = response.content.decode()
    assert f'{len(emails)}<span class="visually-hidden"> unread</span>' in page
    # Opening one marks it read and leads to the portal page to act.
    first = notices[0].notification
    opened = client_a.get(reverse("portal:notice", args=[first.pk]))
    assert opened.status_code == 302 and opened.url.startswith("/portal/")
    first.refresh_from_db()
    assert first.read_at is not None


def test_mark_all_read_and_the_owners_notices_stay_theirs(client_a, offered, owner, user_a):
    send_all()
    owners = Notification.objects.exclude(recipient_email=user_a.email)
    client_a.post(reverse("portal:read_all"))
    assert not Notification.objects.filter(recipient_email=user_a.email, read_at__isnull=True).exists()
    for notification in owners:
        assert client_a.get(reverse("portal:notice", args=[notification.pk])).status_code == 404
    assert not owners.filter(read_at__isnull=False).exists()


def test_the_profile_page_makes_a_calendar_link(client_a, offered):
    assert client_a.get(reverse("portal:profile")).context["calendar_url"] is None
    response = client_a.post(reverse("portal:calendar_feed"), {"action": "create"}, follow=True)
    url = response.context["calendar_url"]
    assert url and "/engagements/calendar/" in url
    assert client_a.get(url.removeprefix("http://testserver")).status_code == 200
