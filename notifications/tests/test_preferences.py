"""Per-kind preferences (on, off, digest only) and the one-click unsubscribe (RFC 8058)."""

import pytest
from django.test import Client

from notifications import preferences
from notifications.models import Notification, NotificationPreference, NotificationStatus, PreferenceMode
from notifications.services import notification_send, notify

pytestmark = pytest.mark.django_db


def nudge(workspace, email="owner@example.com", kind="engagement_gone_quiet", key="gone-quiet:1"):
    notification, _ = notify(
        kind=kind, recipient_email=email, workspace=workspace, dedupe_key=key, engagement_id=1,
        context={"engagement_title": "Logo redesign", "freelancer_name": "Ana", "days_silent": 5,
                 "quiet_after_days": 5, "backups": [], "url": "https://example.com/e/1/",
                 "bench_url": "https://example.com/bench/", "recipient_first_name": "Olivia"})
    return notification


def unsubscribe_link(message):
    return message.extra_headers["List-Unsubscribe"].strip("<>")


def test_a_non_critical_email_carries_one_click_list_unsubscribe_headers_and_a_footer_link(workspace, mailoutbox):
    notification_send(notification_id=nudge(workspace).pk)
    [message] = mailoutbox
    link = unsubscribe_link(message)
    assert link.startswith("http") and "/notifications/unsubscribe/" in link
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.alternatives[0][0]
    assert link in html and "Unsubscribe" in html
    assert link in message.body


def test_payment_and_escrow_notices_have_no_unsubscribe_and_ignore_an_off_switch(workspace, mailoutbox):
    for key in preferences.BY_KEY:
        preferences.preference_set(workspace=workspace, email="owner@example.com", category=key,
                                   mode=PreferenceMode.OFF)
    notification, _ = notify(kind="escrow_funded", recipient_email="owner@example.com", workspace=workspace,
                             dedupe_key="escrow:1", context={"milestone_title": "Logo", "engagement_title": "Logo",
                                                             "amount": "100.00 USD", "url": "https://example.com/"})
    assert notification_send(notification_id=notification.pk) == "sent"
    assert "List-Unsubscribe" not in mailoutbox[0].extra_headers


def test_a_get_on_the_unsubscribe_link_only_asks_for_confirmation(workspace, mailoutbox):
    notification_send(notification_id=nudge(workspace).pk)
    page = Client().get(unsubscribe_link(mailoutbox[0]))
    assert page.status_code == 200
    assert "Stop these emails?" in page.content.decode()
    assert "engagements gone quiet" in page.content.decode()
    assert not NotificationPreference.objects.exists()  # a mail scanner's prefetch changes nothing


def test_the_confirm_button_unsubscribes(workspace, mailoutbox):
    notification_send(notification_id=nudge(workspace).pk)
    page = Client().post(unsubscribe_link(mailoutbox[0]))
    assert page.status_code == 200
    assert "You are unsubscribed" in page.content.decode()
    assert preferences.modes(workspace=workspace, email="owner@example.com")["gone_quiet"] == PreferenceMode.OFF


def test_a_one_click_post_from_the_mail_client_unsubscribes_without_cookies_or_csrf(workspace, mailoutbox):
    notification_send(notification_id=nudge(workspace).pk)
    client = Client(enforce_csrf_checks=True)
    response = client.post(unsubscribe_link(mailoutbox[0]), data="List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    pref = NotificationPreference.objects.get()
    assert (pref.email, pref.category, pref.mode, pref.changed_via) == ("owner@example.com", "gone_quiet", "off",
                                                                        "unsubscribe")
    # The next email of that kind is kept but not sent; other kinds still go.
    mailoutbox.clear()
    assert notification_send(notification_id=nudge(workspace, key="gone-quiet:2").pk) == "suppressed"
    assert mailoutbox == []
    assert Notification.objects.get(dedupe_key="gone-quiet:2").status == NotificationStatus.SUPPRESSED
    other = nudge(workspace, kind="checkin_unscheduled", key="checkin:1")
    Notification.objects.filter(pk=other.pk).update(context={**other.context, "every_days": 7, "last_checkin": ""})
    assert notification_send(notification_id=other.pk) == "sent"


def test_a_forged_token_changes_nothing(workspace):
    token = preferences.unsubscribe_token(workspace_id=workspace.pk, email="owner@example.com", category="gone_quiet")
    response = Client().post(f"/notifications/unsubscribe/{token[:-3]}xyz/", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 404
    assert not NotificationPreference.objects.exists()


def test_the_preferences_page_saves_on_off_and_digest_only(owner_client, workspace, owner):
    page = owner_client.get("/notifications/preferences/").content.decode()
    assert "Engagements gone quiet" in page and "In the daily digest" in page
    response = owner_client.post("/notifications/preferences/", {"gone_quiet": "digest", "checkins": "off",
                                                                "update_overdue": "on", "digest": "on"})
    assert response.status_code == 302
    modes = preferences.modes(workspace=workspace, email=owner.email)
    assert (modes["gone_quiet"], modes["checkins"], modes["update_overdue"]) == ("digest", "off", "on")
    # "digest only" is not offered for the digest itself.
    owner_client.post("/notifications/preferences/", {"digest": "digest"})
    assert preferences.modes(workspace=workspace, email=owner.email)["digest"] == "on"


def test_a_digest_only_kind_is_held_for_the_digest_not_sent(workspace, mailoutbox):
    preferences.preference_set(workspace=workspace, email="owner@example.com", category="gone_quiet",
                               mode=PreferenceMode.DIGEST)
    notification = nudge(workspace)
    assert notification_send(notification_id=notification.pk) == "held"
    assert mailoutbox == []
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.HELD


def test_preferences_belong_to_one_workspace(owner_client, workspace, outsider):
    owner_client.post("/notifications/preferences/", {"gone_quiet": "off"})
    other_workspace = outsider.memberships.get().workspace
    assert preferences.modes(workspace=other_workspace, email="owner@example.com")["gone_quiet"] == "on"


def test_the_preferences_page_needs_a_login(client):
    assert client.get("/notifications/preferences/").status_code == 302


def _header_lines(raw, name):
    """The header `name` as it travelled: its line and any continuation lines."""
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    lines = head.split("\r\n")
    start = next(i for i, line in enumerate(lines) if line.lower().startswith(name.lower() + ":"))
    end = start + 1
    while end < len(lines) and lines[end][:1] in (" ", "\t"):
        end += 1
    return lines[start:end]


def test_list_unsubscribe_travels_as_a_plain_url_not_encoded_words(workspace, smtp_sink, settings):
    # A long site address makes the header well over 78 characters: the serializer must not
    # fold it into RFC 2047 encoded-words, which RFC 2369/8058 forbid (no button in Gmail).
    settings.MAILERS = smtp_sink.mailer()
    settings.SITE_URL = "https://outsourcing.a-rather-long-company-domain.example.com"
    notification_send(notification_id=nudge(workspace).pk)

    [raw] = smtp_sink.raw
    lines = _header_lines(raw, "List-Unsubscribe")
    value = "".join(line.strip() for line in lines).split(":", 1)[1].strip()
    assert "=?" not in value
    assert value.startswith(f"<{settings.SITE_URL}/notifications/unsubscribe/") and value.endswith("/>")
    assert all(len(line) <= 998 for line in lines)
    assert _header_lines(raw, "List-Unsubscribe-Post") == ["List-Unsubscribe-Post: List-Unsubscribe=One-Click"]
    # The link still works as sent.
    path = value.strip("<>").removeprefix(settings.SITE_URL)
    assert Client().post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200


def test_every_automated_email_says_auto_generated(workspace, smtp_sink, settings):
    settings.MAILERS = smtp_sink.mailer()
    notification_send(notification_id=nudge(workspace).pk)
    notification_send(notification_id=nudge(workspace, kind="escrow_funded", key="funded:1").pk)

    assert len(smtp_sink.raw) == 2
    for raw in smtp_sink.raw:
        assert _header_lines(raw, "Auto-Submitted") == ["Auto-Submitted: auto-generated"]
