"""The inbox behind the bell: the same outbox rows as the emails, shown to their recipient
only; opening one marks it read and leads to the page to act; "mark all read"."""

import pytest
from django.core import mail
from django.urls import reverse

from notifications.models import Notification, NotificationStatus
from notifications.selectors import inbox
from notifications.services import notification_send, notify

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def locmem(settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    mail.outbox = []


def overdue(workspace, email, n=1, **kw):
    notification, _ = notify(
        kind="update_overdue", recipient_email=email, workspace=workspace, dedupe_key=f"t:{email}:{n}",
        context={"freelancer_name": "Frida", "engagement_title": "Checkout", "days_silent": 3, "due": "Mon",
                 "url": "http://127.0.0.1:8000/engagements/7/", "audience": "owner"}, **kw)
    return notification


def send_all():
    for pk in Notification.objects.filter(status=NotificationStatus.QUEUED).values_list("pk", flat=True):
        notification_send(notification_id=pk)


def test_the_inbox_shows_the_same_rows_as_the_emails(owner_client, owner, workspace, manager):
    overdue(workspace, owner.email, 1)
    overdue(workspace, owner.email, 2)
    overdue(workspace, manager.email, 3)
    send_all()
    to_owner = [m for m in mail.outbox if m.to == [owner.email]]
    response = owner_client.get(reverse("notifications:inbox"))
    notices = response.context["notices"]
    assert len(notices) == len(to_owner) == 2
    # The title is the email's subject without the workspace prefix; the body a short text of it.
    assert {f"[{workspace.name}] {n.title}" for n in notices} == {m.subject for m in to_owner}
    assert notices[0].body.startswith("Frida has not posted a status update on “Checkout” for 3 days")
    assert notices[0].url == "/engagements/7/"
    page = response.content.decode()
    assert "2<span class=\"visually-hidden\"> unread</span>" in page  # the bell's count


def test_a_notice_not_sent_yet_is_in_the_inbox_too(owner_client, owner, workspace):
    overdue(workspace, owner.email)
    [notice] = owner_client.get(reverse("notifications:inbox")).context["notices"]
    assert notice.title == "No update from Frida on Checkout for 3 days"


def test_opening_a_notice_marks_it_read_and_leads_to_the_page(owner_client, owner, workspace):
    notification = overdue(workspace, owner.email)
    response = owner_client.get(reverse("notifications:notice", args=[notification.pk]))
    assert response.status_code == 302 and response.url == "/engagements/7/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    page = owner_client.get(reverse("notifications:inbox")).content.decode()
    assert "unread</span>" not in page


def test_mark_all_read(owner_client, owner, workspace, manager):
    for n in range(3):
        overdue(workspace, owner.email, n)
    theirs = overdue(workspace, manager.email, 9)
    response = owner_client.post(reverse("notifications:read_all"), follow=True)
    assert "3 notices marked read." in response.content.decode()
    assert not inbox(user=owner, workspace=workspace).filter(read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_someone_elses_notice_is_a_404_and_stays_unread(owner_client, workspace, manager, outsider):
    theirs = overdue(workspace, manager.email)
    other_workspace = outsider.memberships.get().workspace
    foreign = overdue(other_workspace, outsider.email, 2)
    for notification in (theirs, foreign):
        assert owner_client.get(reverse("notifications:notice", args=[notification.pk])).status_code == 404
        notification.refresh_from_db()
        assert notification.read_at is None
    assert list(owner_client.get(reverse("notifications:inbox")).context["notices"]) == []


def test_a_link_to_another_site_is_not_followed(owner_client, owner, workspace):
    notification, _ = notify(kind="update_overdue", recipient_email=owner.email, workspace=workspace,
                             dedupe_key="ext", context={"url": "https://evil.example.org/x", "freelancer_name": "F",
                                                        "engagement_title": "E", "days_silent": 1, "due": "d"})
    response = owner_client.get(reverse("notifications:notice", args=[notification.pk]))
    assert response.status_code == 200 and "evil.example.org" in response.content.decode()


def test_reading_the_inbox_costs_the_same_queries_for_many_notices(owner_client, owner, workspace,
                                                                   django_assert_max_num_queries):
    overdue(workspace, owner.email, 0)
    send_all()
    with django_assert_max_num_queries(15) as few:  # the bound for every page
        owner_client.get(reverse("notifications:inbox"))
    for n in range(1, 40):
        overdue(workspace, owner.email, n)
    send_all()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = owner_client.get(reverse("notifications:inbox"))
    assert len(response.context["notices"]) == 30


def test_a_long_inbox_is_counted_a_few_pages_ahead_and_every_page_stays_reachable(owner_client, owner, workspace,
                                                                                  monkeypatch):
    from notifications import inbox as pages

    monkeypatch.setattr(pages, "PAGES_AHEAD", 1)  # count one page past the one asked for
    Notification.objects.bulk_create([
        Notification(kind="update_overdue", recipient_email=owner.email, workspace=workspace,
                     dedupe_key=f"bulk:{n}", context={}) for n in range(71)])
    first = owner_client.get(reverse("notifications:inbox"))
    assert '<span class="page-link">1 / 3+</span>' in first.content.decode() and "?page=2" in first.content.decode()
    last = owner_client.get(reverse("notifications:inbox"), {"page": 3})
    body = last.content.decode()
    assert len(last.context["notices"]) == 11 and '<span class="page-link">3 / 3</span>' in body
    assert "?page=4" not in body
    shown = {n.notification.pk for p in (1, 2, 3)
             for n in owner_client.get(reverse("notifications:inbox"), {"page": p}).context["notices"]}
    assert shown == set(Notification.objects.filter(recipient_email=owner.email).values_list("pk", flat=True))


def test_the_bell_counts_up_to_99_then_says_so(owner_client, owner, workspace):
    Notification.objects.bulk_create([
        Notification(kind="update_overdue", recipient_email=owner.email, workspace=workspace,
                     dedupe_key=f"bulk:{n}", context={}) for n in range(99)])
    page = owner_client.get(reverse("notifications:inbox")).content.decode()
    assert "99<span class=\"visually-hidden\"> unread</span>" in page and "<strong>99 unread.</strong>" in page
    overdue(workspace, owner.email, 100)
    page = owner_client.get(reverse("notifications:inbox")).content.decode()
    assert "99+<span class=\"visually-hidden\"> unread</span>" in page and "<strong>99+ unread.</strong>" in page
    # Marking all read still marks every one (the bell's cap is only what it shows).
    owner_client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(recipient_email=owner.email, read_at__isnull=True).exists()


def test_a_notices_text_skips_the_greeting_and_links_and_goes_on_after_a_colon():
    from notifications.emails import summary_of

    text = ("Hello Dana,\n\nFrida reported a blocker on Checkout:\n\nThe API keys expired.\n\n"
            "Open it:\nhttps://example.com/x\n")
    assert summary_of(text) == "Frida reported a blocker on Checkout: The API keys expired."
    long = "word " * 200
    assert summary_of(long).endswith("…") and len(summary_of(long)) <= 300
